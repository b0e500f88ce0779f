/**
 * Streaks: runs of consecutive local days, or consecutive ISO weeks (Monday to Sunday), on which
 * a customer did something. Dates are the tenant's wall-clock dates (`YYYY-MM-DD`), so a streak
 * follows the calendar the customer lives by, not UTC.
 */
export type StreakUnit = 'day' | 'week';
export const STREAK_UNITS: readonly StreakUnit[] = ['day', 'week'];

const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a local date; throws on anything that is not `YYYY-MM-DD`. */
export function dayNumber(date: string): number {
  const match = LOCAL_DATE.exec(date);
  if (!match) throw new RangeError(`not a local date: ${date}`);
  return Math.round(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS);
}

/** The local date `days` after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  return new Date((dayNumber(date) + days) * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday that starts the ISO week of `date`, as `YYYY-MM-DD`: the week's identity. */
export function weekOf(date: string): string {
  const day = dayNumber(date);
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
  const sinceMonday = (((day + 3) % 7) + 7) % 7;
  return addDays(date, -sinceMonday);
}

/** Ordinal of the unit (day or week) a date falls in: consecutive units differ by one. */
function unitNumber(date: string, unit: StreakUnit): number {
  return unit === 'day' ? dayNumber(date) : Math.round(dayNumber(weekOf(date)) / 7);
}

function distinctUnits(dates: readonly string[], unit: StreakUnit): number[] {
  return [...new Set(dates.map((date) => unitNumber(date, unit)))].sort((a, b) => a - b);
}

/** The longest run of consecutive units with at least one date, in any order, repeats allowed. */
export function longestRun(dates: readonly string[], unit: StreakUnit): number {
  const units = distinctUnits(dates, unit);
  let longest = 0;
  let run = 0;
  for (let index = 0; index < units.length; index++) {
    run = index > 0 && units[index] === units[index - 1] + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

/**
 * The run still alive on `today`: ending today, or ending in the previous unit (today is not over,
 * so yesterday's streak can still be extended). 0 when the last date is older.
 */
export function currentRun(dates: readonly string[], today: string, unit: StreakUnit): number {
  const units = distinctUnits(dates, unit);
  const now = unitNumber(today, unit);
  let index = units.length - 1;
  while (index >= 0 && units[index] > now) index--;
  if (index < 0 || units[index] < now - 1) return 0;
  let run = 1;
  while (index > 0 && units[index - 1] === units[index] - 1) {
    run++;
    index--;
  }
  return run;
}
