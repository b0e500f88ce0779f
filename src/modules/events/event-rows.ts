import { EntityManager } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { cursorTimestamp } from '../../common/pagination/pagination';
import { EventDto } from './dto/event.dto';
import { DEFAULT_EVENT_HOURS, EventStatus, EventTimes, EventType, seatsLeft } from './event-schedule';

/** The events table as the two event services read it. */
export interface EventRow {
  id: string;
  name: string;
  description: string;
  event_type: EventType;
  event_date: Date;
  ends_at: Date | null;
  location_id: string | null;
  location: string | null;
  max_attendees: number | null;
  registration_url: string | null;
  geofence_required: boolean;
  status: EventStatus;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface CountedEventRow extends EventRow {
  registrations_count: number;
  attendees_count: number;
  /** Attendances of customers who had not registered: each took a seat of its own. */
  walk_ins_count: number;
  /** event_date to the microsecond, for cursors. */
  position: string;
}

export const EVENT_COLUMNS = `e.id, e.name, e.description, e.event_type, e.event_date, e.ends_at, e.location_id,
  e.location, e.max_attendees, e.registration_url, e.geofence_required, e.status, e.cancelled_at, e.created_at,
  e.updated_at`;

const WALK_IN = `NOT EXISTS (SELECT 1 FROM event_registrations r
                              WHERE r.tenant_id = a.tenant_id AND r.event_id = a.event_id AND r.customer_id = a.customer_id)`;

export const COUNTED_EVENT_COLUMNS = `${EVENT_COLUMNS},
  (SELECT count(*)::int FROM event_registrations r WHERE r.tenant_id = e.tenant_id AND r.event_id = e.id) AS registrations_count,
  (SELECT count(*)::int FROM event_attendance a WHERE a.tenant_id = e.tenant_id AND a.event_id = e.id) AS attendees_count,
  (SELECT count(*)::int FROM event_attendance a WHERE a.tenant_id = e.tenant_id AND a.event_id = e.id AND ${WALK_IN})
    AS walk_ins_count,
  ${cursorTimestamp('e.event_date')} AS position`;

/** SQL for the end of an event, as effectiveEnd computes it. */
export const EVENT_END_SQL = `COALESCE(e.ends_at, e.event_date + interval '${DEFAULT_EVENT_HOURS} hours')`;

export const timesOf = (row: EventRow): EventTimes => ({
  status: row.status,
  eventDate: row.event_date,
  endsAt: row.ends_at,
});

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toEventDto(row: CountedEventRow): EventDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    event_type: row.event_type,
    event_date: row.event_date.toISOString(),
    ends_at: iso(row.ends_at),
    location_id: row.location_id,
    location: row.location,
    max_attendees: row.max_attendees,
    registration_url: row.registration_url,
    geofence_required: row.geofence_required,
    status: row.status,
    cancelled_at: iso(row.cancelled_at),
    registrations_count: row.registrations_count,
    attendees_count: row.attendees_count,
    seats_left: seatsLeft(row.max_attendees, row.registrations_count + row.walk_ins_count),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** The event with its counts; another tenant's event, or a malformed id, is a 404. */
export async function findEvent(manager: EntityManager, tenantId: string, eventId: string): Promise<CountedEventRow> {
  if (!isUuid(eventId)) throw new NotFoundError('Event', eventId);
  const [row] = (await manager.query(
    `SELECT ${COUNTED_EVENT_COLUMNS} FROM events e WHERE e.tenant_id = $1 AND e.id = $2`,
    [tenantId, eventId],
  )) as CountedEventRow[];
  if (!row) throw new NotFoundError('Event', eventId);
  return row;
}

/**
 * Locks the event row until the transaction ends: registrations and attendances of one event are
 * taken one after the other, so seats are counted exactly. Counts must be read by a LATER
 * statement (in READ COMMITTED each statement sees what committed before it started, and this
 * one may have started before the previous holder of the lock committed).
 */
export async function lockEvent(manager: EntityManager, tenantId: string, eventId: string): Promise<EventRow> {
  if (!isUuid(eventId)) throw new NotFoundError('Event', eventId);
  const [row] = (await manager.query(
    `SELECT ${EVENT_COLUMNS} FROM events e WHERE e.tenant_id = $1 AND e.id = $2 FOR UPDATE`,
    [tenantId, eventId],
  )) as EventRow[];
  if (!row) throw new NotFoundError('Event', eventId);
  return row;
}

/** Seats taken: every registration, plus every attendance without one. */
export async function seatsTaken(manager: EntityManager, tenantId: string, eventId: string): Promise<number> {
  const [row] = (await manager.query(
    `SELECT (SELECT count(*) FROM event_registrations r WHERE r.tenant_id = $1 AND r.event_id = $2)
          + (SELECT count(*) FROM event_attendance a WHERE a.tenant_id = $1 AND a.event_id = $2 AND ${WALK_IN})
            AS taken`,
    [tenantId, eventId],
  )) as Array<{ taken: string }>;
  return Number(row.taken);
}

/** Whether the customer is registered for, and has attended, the event. */
export async function standingOf(
  manager: EntityManager,
  tenantId: string,
  eventId: string,
  customerId: string,
): Promise<{ registered: boolean; attended: boolean }> {
  const [row] = (await manager.query(
    `SELECT EXISTS (SELECT 1 FROM event_registrations WHERE tenant_id = $1 AND event_id = $2 AND customer_id = $3)
              AS registered,
            EXISTS (SELECT 1 FROM event_attendance WHERE tenant_id = $1 AND event_id = $2 AND customer_id = $3)
              AS attended`,
    [tenantId, eventId, customerId],
  )) as Array<{ registered: boolean; attended: boolean }>;
  return row;
}

/** The customer must exist and not be erased to register or attend. */
export async function requireActiveCustomer(
  manager: EntityManager,
  tenantId: string,
  customerId: string,
): Promise<void> {
  const [row] = isUuid(customerId)
    ? ((await manager.query(`SELECT 1 FROM customers WHERE tenant_id = $1 AND id = $2 AND status = 'active'`, [
        tenantId,
        customerId,
      ])) as unknown[])
    : [];
  if (!row) throw new NotFoundError('Customer', customerId);
}
