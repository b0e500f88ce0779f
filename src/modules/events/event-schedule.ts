/**
 * When a community event may be registered for and attended, and whether a seat is free. Pure:
 * the service loads the event and the counts under a lock and asks here.
 */

export const EVENT_TYPES = ['workshop', 'meetup', 'social', 'online', 'volunteering', 'conference', 'other'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_STATUSES = ['scheduled', 'cancelled'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const CHECK_IN_METHODS = ['manual', 'qr_code'] as const;
export type CheckInMethod = (typeof CHECK_IN_METHODS)[number];

/** An event given without `ends_at` is taken to last this long. */
export const DEFAULT_EVENT_HOURS = 3;
/** Doors open before the start: attendees arriving early can check in. */
export const CHECK_IN_OPENS_MINUTES_BEFORE = 60;
/** Late QR check-ins after the end (people leaving, a slow queue at the scanner). */
export const CHECK_IN_GRACE_MINUTES_AFTER = 120;
/** Staff may catch up on a paper sign-in sheet for this long after the end. */
export const MANUAL_CATCH_UP_DAYS = 7;

const MINUTE_MS = 60_000;

export interface EventTimes {
  status: EventStatus;
  eventDate: Date;
  endsAt: Date | null;
}

/** The end of the event: its `ends_at`, or the start plus the default length. */
export function effectiveEnd(event: Pick<EventTimes, 'eventDate' | 'endsAt'>): Date {
  return event.endsAt ?? new Date(event.eventDate.getTime() + DEFAULT_EVENT_HOURS * 60 * MINUTE_MS);
}

/** Over: listed under `when=past`, closed to registration. */
export function hasEnded(event: Pick<EventTimes, 'eventDate' | 'endsAt'>, now: Date): boolean {
  return effectiveEnd(event).getTime() <= now.getTime();
}

export type ScheduleRefusal = 'event_cancelled' | 'event_past' | 'event_not_started';

/** Registration is open until the event ends, unless it was cancelled. */
export function registrationRefusal(event: EventTimes, now: Date): ScheduleRefusal | null {
  if (event.status === 'cancelled') return 'event_cancelled';
  if (hasEnded(event, now)) return 'event_past';
  return null;
}

/** The window in which attendance is taken, by how it is taken. */
export function checkInWindow(event: EventTimes, method: CheckInMethod): { opensAt: Date; closesAt: Date } {
  const end = effectiveEnd(event).getTime();
  return {
    opensAt: new Date(event.eventDate.getTime() - CHECK_IN_OPENS_MINUTES_BEFORE * MINUTE_MS),
    closesAt: new Date(
      method === 'manual'
        ? end + MANUAL_CATCH_UP_DAYS * 24 * 60 * MINUTE_MS
        : end + CHECK_IN_GRACE_MINUTES_AFTER * MINUTE_MS,
    ),
  };
}

export function attendanceRefusal(event: EventTimes, method: CheckInMethod, now: Date): ScheduleRefusal | null {
  if (event.status === 'cancelled') return 'event_cancelled';
  const window = checkInWindow(event, method);
  if (now.getTime() < window.opensAt.getTime()) return 'event_not_started';
  if (now.getTime() >= window.closesAt.getTime()) return 'event_past';
  return null;
}

/**
 * Seats: a registration takes one, and so does attending without having registered (a walk-in).
 * A registered customer's attendance uses the seat the registration took, so walk-ins can never
 * push out someone who registered. `max_attendees` null means no limit.
 */
export function seatIsFree(maxAttendees: number | null, seatsTaken: number): boolean {
  return maxAttendees === null || seatsTaken < maxAttendees;
}

export function seatsLeft(maxAttendees: number | null, seatsTaken: number): number | null {
  return maxAttendees === null ? null : Math.max(0, maxAttendees - seatsTaken);
}
