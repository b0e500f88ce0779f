/**
 * The tenant's wall clock at an instant. Rule dates, weekdays and time windows are what the shop
 * owner sees on the wall ("07:00–11:00 breakfast, Monday to Friday"), so they are read in the
 * tenant's IANA zone, which also moves them correctly across daylight-saving changes.
 */
export interface LocalMoment {
  /** `YYYY-MM-DD`, comparable as a string with rule start and end dates. */
  date: string;
  /** ISO weekday, Monday = 1 … Sunday = 7. */
  isoWeekday: number;
  /** Minutes since local midnight, 0 … 1439. */
  minuteOfDay: number;
}

const ISO_WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// Building a DateTimeFormat costs far more than using one, and activity ingestion is a hot path.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a RangeError for an unknown time zone or an invalid date (both are caller bugs). */
export function localMoment(instant: Date, timeZone: string): LocalMoment {
  if (Number.isNaN(instant.getTime())) throw new RangeError('occurred_at is not a valid date');
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    date: `${parts.year.padStart(4, '0')}-${parts.month}-${parts.day}`,
    isoWeekday: ISO_WEEKDAY[parts.weekday],
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** `HH:MM` → minutes since midnight. */
export function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Half-open [from, to) so that back-to-back windows (07:00–11:00, 11:00–15:00) never both match; wraps midnight when to < from. */
export function isWithinWindow(minuteOfDay: number, from: string, to: string): boolean {
  const start = minutesOf(from);
  const end = minutesOf(to);
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}
