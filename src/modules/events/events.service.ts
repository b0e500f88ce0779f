import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { BusinessRuleError, ForbiddenError, ValidationFailedError } from '../../common/errors/domain-error';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { appendToOutbox } from '../../common/outbox/outbox';
import { decodeCursor, Page, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import {
  AdminEventQueryDto,
  CreateEventDto,
  CustomerEventDto,
  EventDto,
  EventQueryDto,
  RegistrationDto,
  UpdateEventDto,
} from './dto/event.dto';
import { checkEventLocation } from './event-location';
import {
  COUNTED_EVENT_COLUMNS,
  CountedEventRow,
  EVENT_END_SQL,
  EventRow,
  findEvent,
  lockEvent,
  requireActiveCustomer,
  seatsTaken,
  standingOf,
  timesOf,
  toEventDto,
} from './event-rows';
import { registrationRefusal, seatIsFree, seatsLeft } from './event-schedule';
import { alreadyAttended, alreadyRegistered, eventFull, scheduleRefused } from './event.errors';

/** The fields an audit entry shows about an event. */
function audited(row: EventRow) {
  return {
    name: row.name,
    event_type: row.event_type,
    event_date: row.event_date.toISOString(),
    ends_at: row.ends_at?.toISOString() ?? null,
    location_id: row.location_id,
    location: row.location,
    max_attendees: row.max_attendees,
    registration_url: row.registration_url,
    geofence_required: row.geofence_required,
    status: row.status,
  };
}

export function customerIdOf(actor: Actor): string {
  if (actor.kind !== 'user' || actor.role !== 'customer') {
    throw new ForbiddenError('Only customers register for and attend events.', 'not_a_customer');
  }
  return actor.userId;
}

interface Schedule {
  eventDate: Date;
  endsAt: Date | null;
  locationId: string | null;
  geofenceRequired: boolean;
}

/** Cross-field rules the DTOs cannot express. */
function checkSchedule(schedule: Schedule): void {
  const errors = [];
  if (schedule.endsAt && schedule.endsAt.getTime() <= schedule.eventDate.getTime()) {
    errors.push({ field: 'ends_at', message: 'must be after event_date' });
  }
  if (schedule.geofenceRequired && !schedule.locationId) {
    errors.push({ field: 'geofence_required', message: 'needs a location_id whose geofence is checked' });
  }
  if (errors.length) throw new ValidationFailedError(errors);
}

/**
 * Community events: staff plan, change and cancel them; customers browse them and register
 * within capacity. Attendance is AttendanceService's.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string, query: AdminEventQueryDto): Promise<Page<EventDto>> {
    const rows = await this.database.run(tenantId, (manager) =>
      this.queryPage(manager, tenantId, query, query.when, null),
    );
    return pageOf(rows, query.limit, toEventDto, (row) => [row.position, row.id]);
  }

  async listForCustomer(actor: Actor, query: EventQueryDto): Promise<Page<CustomerEventDto>> {
    const tenantId = tenantIdOf(actor);
    const customerId = customerIdOf(actor);
    const rows = await this.database.run(tenantId, (manager) =>
      this.queryPage(manager, tenantId, query, query.when, customerId),
    );
    return pageOf(
      rows,
      query.limit,
      (row) => this.toCustomerDto(row),
      (row) => [row.position, row.id],
    );
  }

  /**
   * One page of events. Upcoming (not yet ended) runs forwards from the soonest; past and "all"
   * run backwards from the latest. `customerId` adds the caller's registered/attended flags.
   */
  private async queryPage(
    manager: EntityManager,
    tenantId: string,
    query: { limit: number; cursor?: string; type?: string; status?: string },
    when: 'upcoming' | 'past' | undefined,
    customerId: string | null,
  ): Promise<Array<CountedEventRow & { registered?: boolean; attended?: boolean }>> {
    const position = decodeCursor(query.cursor, 2);
    const parameters: unknown[] = [tenantId];
    const bind = (value: unknown): string => `$${parameters.push(value)}`;
    const conditions = ['e.tenant_id = $1'];
    if (when === 'upcoming') conditions.push(`${EVENT_END_SQL} > now()`);
    if (when === 'past') conditions.push(`${EVENT_END_SQL} <= now()`);
    if (query.type) conditions.push(`e.event_type = ${bind(query.type)}`);
    if (query.status) conditions.push(`e.status = ${bind(query.status)}`);
    const forwards = when === 'upcoming';
    if (position) {
      conditions.push(
        `(e.event_date, e.id) ${forwards ? '>' : '<'} (${bind(position[0])}::timestamptz, ${bind(position[1])}::uuid)`,
      );
    }
    const customer = customerId ? bind(customerId) : null;
    const standing = customer
      ? `, EXISTS (SELECT 1 FROM event_registrations r WHERE r.tenant_id = e.tenant_id AND r.event_id = e.id
                     AND r.customer_id = ${customer}) AS registered,
           EXISTS (SELECT 1 FROM event_attendance a WHERE a.tenant_id = e.tenant_id AND a.event_id = e.id
                     AND a.customer_id = ${customer}) AS attended`
      : '';
    const direction = forwards ? 'ASC' : 'DESC';
    return (await manager.query(
      `SELECT ${COUNTED_EVENT_COLUMNS}${standing} FROM events e
        WHERE ${conditions.join(' AND ')}
        ORDER BY e.event_date ${direction}, e.id ${direction}
        LIMIT ${bind(query.limit + 1)}`,
      parameters,
    )) as Array<CountedEventRow & { registered?: boolean; attended?: boolean }>;
  }

  private toCustomerDto(row: CountedEventRow & { registered?: boolean; attended?: boolean }): CustomerEventDto {
    return { ...toEventDto(row), registered: row.registered ?? false, attended: row.attended ?? false };
  }

  get(tenantId: string, eventId: string): Promise<EventDto> {
    return this.database.run(tenantId, async (manager) => toEventDto(await findEvent(manager, tenantId, eventId)));
  }

  getForCustomer(actor: Actor, eventId: string): Promise<CustomerEventDto> {
    const tenantId = tenantIdOf(actor);
    const customerId = customerIdOf(actor);
    return this.database.run(tenantId, async (manager) => {
      const row = await findEvent(manager, tenantId, eventId);
      return { ...toEventDto(row), ...(await standingOf(manager, tenantId, row.id, customerId)) };
    });
  }

  create(request: IdempotentRequest, caller: Caller, input: CreateEventDto): Promise<IdempotentOutcome<EventDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const schedule = {
      eventDate: new Date(input.event_date),
      endsAt: input.ends_at ? new Date(input.ends_at) : null,
      locationId: input.location_id ?? null,
      geofenceRequired: input.geofence_required ?? false,
    };
    checkSchedule(schedule);
    return this.idempotency.execute(request, 201, async (manager) => {
      await checkEventLocation(manager, tenantId, schedule.locationId);
      const [{ id }] = (await manager.query(
        `INSERT INTO events (tenant_id, name, description, event_type, event_date, ends_at, location_id, location,
                             max_attendees, registration_url, geofence_required)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [
          tenantId,
          input.name,
          input.description ?? '',
          input.event_type,
          schedule.eventDate,
          schedule.endsAt,
          schedule.locationId,
          input.location ?? null,
          input.max_attendees ?? null,
          input.registration_url ?? null,
          schedule.geofenceRequired,
        ],
      )) as Array<{ id: string }>;
      const created = await findEvent(manager, tenantId, id);
      await this.audit.record(manager, tenantId, caller, {
        action: 'event.created',
        targetType: 'event',
        targetId: id,
        after: audited(created),
      });
      return toEventDto(created);
    });
  }

  update(caller: Caller, eventId: string, input: UpdateEventDto): Promise<EventDto> {
    const tenantId = tenantIdOf(caller.actor);
    return this.database.run(tenantId, async (manager) => {
      const before = await lockEvent(manager, tenantId, eventId);
      // Absent fields stay; the nullable ones are cleared by null (the DTO refuses null elsewhere).
      const keep = <T>(given: T | undefined, current: T): T => (given === undefined ? current : given);
      const next = {
        name: input.name ?? before.name,
        description: input.description ?? before.description,
        event_type: input.event_type ?? before.event_type,
        event_date: input.event_date ? new Date(input.event_date) : before.event_date,
        ends_at: input.ends_at === undefined ? before.ends_at : input.ends_at === null ? null : new Date(input.ends_at),
        location_id: keep(input.location_id, before.location_id),
        location: keep(input.location, before.location),
        max_attendees: keep(input.max_attendees, before.max_attendees),
        registration_url: keep(input.registration_url, before.registration_url),
        geofence_required: input.geofence_required ?? before.geofence_required,
        status: input.status ?? before.status,
      };
      checkSchedule({
        eventDate: next.event_date,
        endsAt: next.ends_at,
        locationId: next.location_id,
        geofenceRequired: next.geofence_required,
      });
      if (next.location_id !== before.location_id) await checkEventLocation(manager, tenantId, next.location_id);
      if (next.max_attendees !== null && next.max_attendees !== before.max_attendees) {
        const taken = await seatsTaken(manager, tenantId, before.id);
        if (next.max_attendees < taken) {
          throw new BusinessRuleError(
            'capacity_below_seats_taken',
            `${taken} seats are already taken; max_attendees cannot be lower.`,
            { seats_taken: taken },
          );
        }
      }
      await manager.query(
        `UPDATE events SET name = $3, description = $4, event_type = $5, event_date = $6, ends_at = $7,
                location_id = $8, location = $9, max_attendees = $10, registration_url = $11,
                geofence_required = $12, status = $13::varchar,
                cancelled_at = CASE WHEN $13::varchar = 'cancelled' THEN COALESCE(cancelled_at, now()) END,
                updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [
          tenantId,
          before.id,
          next.name,
          next.description,
          next.event_type,
          next.event_date,
          next.ends_at,
          next.location_id,
          next.location,
          next.max_attendees,
          next.registration_url,
          next.geofence_required,
          next.status,
        ],
      );
      const after = await findEvent(manager, tenantId, before.id);
      await this.audit.record(manager, tenantId, caller, {
        action: before.status !== 'cancelled' && after.status === 'cancelled' ? 'event.cancelled' : 'event.updated',
        targetType: 'event',
        targetId: before.id,
        before: audited(before),
        after: audited(after),
      });
      return toEventDto(after);
    });
  }

  /** DELETE cancels: the event, its registrations and its attendance stay. Cancelling twice is a no-op. */
  async cancel(caller: Caller, eventId: string): Promise<void> {
    const tenantId = tenantIdOf(caller.actor);
    await this.database.run(tenantId, async (manager) => {
      const before = await lockEvent(manager, tenantId, eventId);
      if (before.status === 'cancelled') return;
      await manager.query(
        `UPDATE events SET status = 'cancelled', cancelled_at = now(), updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, before.id],
      );
      await this.audit.record(manager, tenantId, caller, {
        action: 'event.cancelled',
        targetType: 'event',
        targetId: before.id,
        before: audited(before),
        after: { ...audited(before), status: 'cancelled' },
      });
    });
  }

  /**
   * Takes a seat for the calling customer. The event row is locked first, so parallel
   * registrations are counted one after the other and never pass the capacity.
   */
  register(request: IdempotentRequest, eventId: string): Promise<IdempotentOutcome<RegistrationDto>> {
    const tenantId = tenantIdOf(request.actor);
    const customerId = customerIdOf(request.actor);
    return this.idempotency.execute(request, 201, async (manager) => {
      const event = await lockEvent(manager, tenantId, eventId);
      const refusal = registrationRefusal(timesOf(event), new Date());
      if (refusal) throw scheduleRefused(refusal);
      await requireActiveCustomer(manager, tenantId, customerId);
      const standing = await standingOf(manager, tenantId, event.id, customerId);
      if (standing.registered) throw alreadyRegistered();
      if (standing.attended) throw alreadyAttended();
      const taken = await seatsTaken(manager, tenantId, event.id);
      if (!seatIsFree(event.max_attendees, taken)) throw eventFull();

      const [registration] = (await manager.query(
        `INSERT INTO event_registrations (tenant_id, event_id, customer_id) VALUES ($1, $2, $3)
         RETURNING id, registered_at`,
        [tenantId, event.id, customerId],
      )) as Array<{ id: string; registered_at: Date }>;
      await appendToOutbox(manager, tenantId, [
        {
          type: 'event.registered',
          aggregateType: 'event',
          aggregateId: event.id,
          payload: {
            event_id: event.id,
            customer_id: customerId,
            registration_id: registration.id,
            registered_at: registration.registered_at.toISOString(),
          },
        },
      ]);
      return {
        id: registration.id,
        event_id: event.id,
        customer_id: customerId,
        registered_at: registration.registered_at.toISOString(),
        seats_left: seatsLeft(event.max_attendees, taken + 1),
      };
    });
  }
}
