import fc from 'fast-check';
import { addDays, currentRun, longestRun, weekOf } from './streaks';

const dayArb = fc.integer({ min: 0, max: 800 }).map((offset) => addDays('2024-01-01', offset));

describe('weekOf', () => {
  it('is the Monday of the ISO week', () => {
    expect(weekOf('2025-01-13')).toBe('2025-01-13'); // a Monday
    expect(weekOf('2025-01-19')).toBe('2025-01-13'); // its Sunday
    expect(weekOf('2025-01-20')).toBe('2025-01-20');
    expect(weekOf('2025-01-01')).toBe('2024-12-30'); // a week across the new year
  });

  it('refuses what is not a local date', () => {
    expect(() => weekOf('2025-1-1')).toThrow(RangeError);
  });
});

describe('longestRun', () => {
  it('counts consecutive days, whatever the order and repeats', () => {
    expect(longestRun([], 'day')).toBe(0);
    expect(longestRun(['2025-03-02', '2025-03-01', '2025-03-01', '2025-03-03', '2025-03-05'], 'day')).toBe(3);
    // across a month end and a leap day
    expect(longestRun(['2024-02-28', '2024-02-29', '2024-03-01'], 'day')).toBe(3);
  });

  it('counts consecutive ISO weeks: any day of each week keeps the streak', () => {
    // Sunday of one week, Monday of the next, Saturday of the one after: three weeks in a row.
    expect(longestRun(['2025-01-19', '2025-01-20', '2025-02-01'], 'week')).toBe(3);
    // a week skipped breaks it
    expect(longestRun(['2025-01-06', '2025-01-20'], 'week')).toBe(1);
  });

  it('never exceeds the number of distinct units, and a full run of k days gives k (property)', () => {
    fc.assert(
      fc.property(
        fc.array(dayArb, { maxLength: 60 }),
        fc.constantFrom('day' as const, 'week' as const),
        (days, unit) => {
          const distinct = new Set(days.map((day) => (unit === 'day' ? day : weekOf(day)))).size;
          expect(longestRun(days, unit)).toBeLessThanOrEqual(distinct);
          expect(longestRun([...days].reverse(), unit)).toBe(longestRun(days, unit));
        },
      ),
    );
    fc.assert(
      fc.property(dayArb, fc.integer({ min: 1, max: 40 }), (start, length) => {
        const run = Array.from({ length }, (_, index) => addDays(start, index));
        expect(longestRun(run, 'day')).toBe(length);
      }),
    );
  });

  it('never shrinks when a date is added (property)', () => {
    fc.assert(
      fc.property(fc.array(dayArb, { maxLength: 40 }), dayArb, (days, extra) => {
        expect(longestRun([...days, extra], 'day')).toBeGreaterThanOrEqual(longestRun(days, 'day'));
        expect(longestRun([...days, extra], 'week')).toBeGreaterThanOrEqual(longestRun(days, 'week'));
      }),
    );
  });
});

describe('currentRun', () => {
  const days = ['2025-03-01', '2025-03-02', '2025-03-03'];

  it('is alive through today and the day after the last activity, then breaks', () => {
    expect(currentRun(days, '2025-03-03', 'day')).toBe(3);
    expect(currentRun(days, '2025-03-04', 'day')).toBe(3);
    expect(currentRun(days, '2025-03-05', 'day')).toBe(0);
  });

  it('ignores dates after today', () => {
    expect(currentRun(days, '2025-03-02', 'day')).toBe(2);
  });

  it('is at most the longest run (property)', () => {
    fc.assert(
      fc.property(fc.array(dayArb, { maxLength: 40 }), dayArb, (list, today) => {
        expect(currentRun(list, today, 'day')).toBeLessThanOrEqual(longestRun(list, 'day'));
        expect(currentRun(list, today, 'week')).toBeLessThanOrEqual(longestRun(list, 'week'));
      }),
    );
  });
});
