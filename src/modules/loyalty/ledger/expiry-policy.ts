/**
 * When earned points expire, per the program's expiry policy. Month ends are read in the tenant's
 * time zone: "end of the 12th month" for points earned on 15 March in Sydney is the last instant
 * of March next year in Sydney, not in UTC.
 */
export type ExpiryPolicy =
  { type: 'never' } | { type: 'days_after_earn'; days: number } | { type: 'end_of_nth_month'; months: number };

const DAY_MS = 86_400_000;

// Building a DateTimeFormat costs far more than using one, and earning calls these per activity.
const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string): Intl.DateTimeFormat {
  let formatter = wallClocks.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClocks.set(timeZone, formatter);
  }
  return formatter;
}

/** The UTC offset (ms) of `timeZone` at `instant`. */
function offsetAt(instant: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    wallClock(timeZone)
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which local wall-clock midnight of (year, month0, day) begins in `timeZone`. */
export function localMidnight(year: number, month0: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month0, day);
  // Two passes settle the offset even when midnight sits next to a DST change.
  let instant = guess - offsetAt(new Date(guess), timeZone);
  instant = guess - offsetAt(new Date(instant), timeZone);
  return new Date(instant);
}

/** Year and zero-based month of `instant` on the wall clock of `timeZone`. */
export function localYearMonth(instant: Date, timeZone: string): { year: number; month0: number } {
  const parts = wallClock(timeZone).formatToParts(instant);
  const value = (type: string) => Number(parts.find((part) => part.type === type)!.value);
  return { year: value('year'), month0: value('month') - 1 };
}

export function expiryFor(policy: ExpiryPolicy, earnedAt: Date, timeZone: string): Date | null {
  switch (policy.type) {
    case 'never':
      return null;
    case 'days_after_earn':
      return new Date(earnedAt.getTime() + policy.days * DAY_MS);
    case 'end_of_nth_month': {
      const { year, month0 } = localYearMonth(earnedAt, timeZone);
      // The first instant of the month after the Nth: points are good through the whole Nth month.
      return localMidnight(year, month0 + policy.months + 1, 1, timeZone);
    }
  }
}
