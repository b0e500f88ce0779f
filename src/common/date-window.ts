import { FieldError, ValidationFailedError } from './errors/domain-error';

const DAY_MS = 86_400_000;

/** A report's optional window of calendar days (YYYY-MM-DD, both included), as the query gave it. */
export interface DateWindowQuery {
  from?: string;
  to?: string;
}

const isCalendarDate = (value: string): boolean => {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

const shiftDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** 400 naming `from` and/or `to` when either is not a real calendar date (2026-02-30 is not); before any query. */
export function checkWindowDates(query: DateWindowQuery): void {
  const problems: FieldError[] = [];
  for (const field of ['from', 'to'] as const) {
    const value = query[field];
    if (value && !isCalendarDate(value)) problems.push({ field, message: 'is not a calendar date' });
  }
  if (problems.length) throw new ValidationFailedError(problems);
}

/**
 * The window a report covers: `to` defaults to `today` (the tenant's local date), `from` to
 * `defaultDays` days ending on `to`. 400 when `from` is after `to` or the window is longer than
 * `maxDays`. The dates must have passed checkWindowDates.
 */
export function resolveWindow(
  query: DateWindowQuery,
  today: string,
  { defaultDays, maxDays }: { defaultDays: number; maxDays: number },
): { from: string; to: string } {
  const to = query.to ?? today;
  const from = query.from ?? shiftDays(to, -(defaultDays - 1));
  const span = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (span < 1) throw new ValidationFailedError([{ field: 'from', message: 'must not be after to' }]);
  if (span > maxDays) throw new ValidationFailedError([{ field: 'to', message: `at most ${maxDays} days after from` }]);
  return { from, to };
}
