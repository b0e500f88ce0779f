import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, actorKey, tenantIdOf } from '../../common/auth/actor';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { appendToOutbox } from '../../common/outbox/outbox';
import { cursorTimestamp, decodeCursor, Page, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { ActivitiesService } from '../loyalty/activities/activities.service';
import {
  AttendanceDto,
  AttendanceReportDto,
  AttendedEventDto,
  AttendedEventQueryDto,
  AttendEventDto,
  RecordAttendanceDto,
} from './dto/attendance.dto';
import { checkAttendeePosition } from './event-location';
import {
  COUNTED_EVENT_COLUMNS,
  CountedEventRow,
  EventRow,
  findEvent,
  lockEvent,
  requireActiveCustomer,
  seatsTaken,
  standingOf,
  timesOf,
  toEventDto,
} from './event-rows';
import { attendanceRefusal, CheckInMethod, seatIsFree } from './event-schedule';
import { alreadyAttended, eventCodeRefused, eventFull, scheduleRefused } from './event.errors';
import { EventCodesService } from './event-codes.service';
import { customerIdOf } from './events.service';
import { toCsv } from './report-csv';

interface AttendeeRow {
  customer_id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  check_in_method: CheckInMethod;
  checked_in_at: Date;
  registered: boolean;
  points_awarded: string;
  notes: string | null;
}

interface AttendedRow extends CountedEventRow {
  attendance_id: string;
  attended_at: Date;
  check_in_method: CheckInMethod;
  points_awarded: string;
  attended_position: string;
}

const REPORT_COLUMNS = [
  'customer_id',
  'first_name',
  'last_name',
  'email',
  'check_in_method',
  'checked_in_at',
  'registered',
  'points_awarded',
  'notes',
];

export type AttendanceReport =
  { format: 'json'; body: AttendanceReportDto } | { format: 'csv'; csv: string; filename: string };

/**
 * Attendance at community events, by the event's QR code (the customer) or by hand (staff). Each
 * attendance, its points (the event_attendance rules, through the loyalty engine) and its outbox
 * event are written in one transaction: a refusal anywhere leaves nothing behind.
 */
@Injectable()
export class AttendanceService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
    private readonly activities: ActivitiesService,
    private readonly codes: EventCodesService,
  ) {}

  attendByCode(
    request: IdempotentRequest,
    eventId: string,
    input: AttendEventDto,
  ): Promise<IdempotentOutcome<AttendanceDto>> {
    const tenantId = tenantIdOf(request.actor);
    const customerId = customerIdOf(request.actor);
    const now = new Date();
    return this.idempotency.execute(request, 201, async (manager) => {
      const event = await lockEvent(manager, tenantId, eventId);
      const verdict = this.codes.verify({ tenantId, eventId: event.id }, input.code, now);
      if (!verdict.valid) throw eventCodeRefused(verdict.reason);
      const refusal = attendanceRefusal(timesOf(event), 'qr_code', now);
      if (refusal) throw scheduleRefused(refusal);
      await checkAttendeePosition(manager, tenantId, event, input);
      return this.recordAttendance(manager, request.actor, event, customerId, 'qr_code', null, now);
    });
  }

  recordManually(
    request: IdempotentRequest,
    caller: Caller,
    eventId: string,
    input: RecordAttendanceDto,
  ): Promise<IdempotentOutcome<AttendanceDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const now = new Date();
    return this.idempotency.execute(request, 201, async (manager) => {
      const event = await lockEvent(manager, tenantId, eventId);
      const refusal = attendanceRefusal(timesOf(event), 'manual', now);
      if (refusal) throw scheduleRefused(refusal);
      const attendance = await this.recordAttendance(
        manager,
        caller.actor,
        event,
        input.customer_id,
        'manual',
        input.notes ?? null,
        now,
      );
      await this.audit.record(manager, tenantId, caller, {
        action: 'event.attendance_recorded',
        targetType: 'event',
        targetId: event.id,
        after: {
          attendance_id: attendance.id,
          customer_id: attendance.customer_id,
          check_in_method: 'manual',
          notes: attendance.notes,
          points_awarded: attendance.points_awarded,
        },
      });
      return attendance;
    });
  }

  /** Inside the caller's transaction, with the event row locked: the checks, the row, the points, the event. */
  private async recordAttendance(
    manager: EntityManager,
    actor: Actor,
    event: EventRow,
    customerId: string,
    method: CheckInMethod,
    notes: string | null,
    now: Date,
  ): Promise<AttendanceDto> {
    const tenantId = tenantIdOf(actor);
    await requireActiveCustomer(manager, tenantId, customerId);
    const standing = await standingOf(manager, tenantId, event.id, customerId);
    if (standing.attended) throw alreadyAttended();
    // A registered customer sits in the seat the registration took; anyone else needs a free one.
    if (!standing.registered && !seatIsFree(event.max_attendees, await seatsTaken(manager, tenantId, event.id))) {
      throw eventFull();
    }

    // The attendance row is written in the statement that writes the activity and its points.
    const attendance = { id: randomUUID(), checked_in_at: now };
    const earned = await this.activities.recordWithin(
      manager,
      actor,
      {
        type: 'event_attendance',
        customer_id: customerId,
        reference: event.id,
        ...(event.location_id ? { location_id: event.location_id } : {}),
        attributes: { event_id: event.id, event_type: event.event_type, check_in_method: method },
      },
      now,
      {
        alongside: ({ activityId, points }) => ({
          sql: `INSERT INTO event_attendance (tenant_id, id, event_id, customer_id, check_in_method, notes, recorded_by,
                                              checked_in_at, activity_id, points_awarded)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          values: [
            tenantId,
            attendance.id,
            event.id,
            customerId,
            method,
            notes,
            actorKey(actor),
            now,
            activityId,
            points,
          ],
        }),
      },
    );
    await appendToOutbox(manager, tenantId, [
      {
        type: 'event.attended',
        aggregateType: 'event',
        aggregateId: event.id,
        payload: {
          event_id: event.id,
          customer_id: customerId,
          attendance_id: attendance.id,
          check_in_method: method,
          checked_in_at: attendance.checked_in_at.toISOString(),
          activity_id: earned.activity_id,
          points_awarded: earned.points_awarded,
        },
      },
    ]);
    return {
      id: attendance.id,
      event_id: event.id,
      customer_id: customerId,
      check_in_method: method,
      checked_in_at: attendance.checked_in_at.toISOString(),
      notes,
      points_awarded: earned.points_awarded,
      balance: earned.balance,
    };
  }

  report(tenantId: string, eventId: string, format: 'json' | 'csv'): Promise<AttendanceReport> {
    return this.database.run(tenantId, async (manager) => {
      const event = await findEvent(manager, tenantId, eventId);
      const rows = (await manager.query(
        `SELECT a.customer_id, c.first_name, c.last_name, c.email, a.check_in_method, a.checked_in_at, a.notes,
                a.points_awarded,
                EXISTS (SELECT 1 FROM event_registrations r
                         WHERE r.tenant_id = a.tenant_id AND r.event_id = a.event_id AND r.customer_id = a.customer_id)
                  AS registered
           FROM event_attendance a
           JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
          WHERE a.tenant_id = $1 AND a.event_id = $2
          ORDER BY a.checked_in_at, a.id`,
        [tenantId, event.id],
      )) as AttendeeRow[];
      if (format === 'csv') {
        return {
          format,
          filename: `event-${event.id}-attendance.csv`,
          csv: toCsv(
            REPORT_COLUMNS,
            rows.map((row) => [
              row.customer_id,
              row.first_name,
              row.last_name,
              row.email,
              row.check_in_method,
              row.checked_in_at.toISOString(),
              row.registered,
              Number(row.points_awarded),
              row.notes,
            ]),
          ),
        };
      }
      return {
        format,
        body: {
          event: toEventDto(event),
          registrations_count: event.registrations_count,
          attendees_count: event.attendees_count,
          registered_attendees_count: rows.filter((row) => row.registered).length,
          attendees: rows.map((row) => ({
            customer_id: row.customer_id,
            first_name: row.first_name,
            last_name: row.last_name,
            email: row.email,
            check_in_method: row.check_in_method,
            checked_in_at: row.checked_in_at.toISOString(),
            registered: row.registered,
            points_awarded: Number(row.points_awarded),
            notes: row.notes,
          })),
        },
      };
    });
  }

  /** The events the calling customer attended, latest attendance first. */
  async attendedEvents(actor: Actor, query: AttendedEventQueryDto): Promise<Page<AttendedEventDto>> {
    const tenantId = tenantIdOf(actor);
    const customerId = customerIdOf(actor);
    const position = decodeCursor(query.cursor, 2);
    const parameters: unknown[] = [tenantId, customerId];
    const bind = (value: unknown): string => `$${parameters.push(value)}`;
    const after = position
      ? `AND (a.checked_in_at, a.id) < (${bind(position[0])}::timestamptz, ${bind(position[1])}::uuid)`
      : '';
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${COUNTED_EVENT_COLUMNS}, a.id AS attendance_id, a.checked_in_at AS attended_at, a.check_in_method,
                a.points_awarded, ${cursorTimestamp('a.checked_in_at')} AS attended_position
           FROM event_attendance a
           JOIN events e ON e.tenant_id = a.tenant_id AND e.id = a.event_id
          WHERE a.tenant_id = $1 AND a.customer_id = $2 ${after}
          ORDER BY a.checked_in_at DESC, a.id DESC
          LIMIT ${bind(query.limit + 1)}`,
        parameters,
      ),
    )) as AttendedRow[];
    return pageOf(
      rows,
      query.limit,
      (row) => ({
        ...toEventDto(row),
        attended_at: row.attended_at.toISOString(),
        check_in_method: row.check_in_method,
        points_awarded: Number(row.points_awarded),
      }),
      (row) => [row.attended_position, row.attendance_id],
    );
  }
}
