import fc from 'fast-check';
import {
  bucketsAt,
  bucketTtlSeconds,
  challengeBoardKey,
  leaderboardKey,
  parsePeriod,
  periodBucket,
  rankOf,
  rankTop,
  ScoredMember,
} from './leaderboard-keys';

describe('period buckets', () => {
  it('rolls weeks and months over at the tenant’s midnight', () => {
    // Sunday 23:30 in New York is already Monday in UTC.
    const sundayNight = new Date('2025-03-17T03:30:00Z');
    expect(periodBucket('weekly', sundayNight, 'America/New_York')).toBe('weekly:2025-03-10');
    expect(periodBucket('weekly', sundayNight, 'UTC')).toBe('weekly:2025-03-17');
    // 1 April 00:30 in Auckland is still 31 March in UTC.
    const aprilInAuckland = new Date('2025-03-31T11:30:00Z');
    expect(periodBucket('monthly', aprilInAuckland, 'Pacific/Auckland')).toBe('monthly:2025-04');
    expect(periodBucket('monthly', aprilInAuckland, 'UTC')).toBe('monthly:2025-03');
    expect(periodBucket('all-time', aprilInAuckland, 'UTC')).toBe('all-time');
  });

  it('puts an instant in one bucket of each period', () => {
    expect(bucketsAt(new Date('2025-01-01T12:00:00Z'), 'UTC')).toEqual([
      'weekly:2024-12-30',
      'monthly:2025-01',
      'all-time',
    ]);
  });

  it('keeps period boards for a while and the all-time board for good', () => {
    expect(bucketTtlSeconds('weekly:2025-01-13')).toBeGreaterThan(7 * 86_400);
    expect(bucketTtlSeconds('monthly:2025-01')).toBeGreaterThan(31 * 86_400);
    expect(bucketTtlSeconds('all-time')).toBeNull();
  });

  it('accepts both spellings of all-time and nothing else', () => {
    expect(parsePeriod('all-time')).toBe('all-time');
    expect(parsePeriod('all_time')).toBe('all-time');
    expect(parsePeriod('weekly')).toBe('weekly');
    expect(parsePeriod('daily')).toBeNull();
  });

  it('keys every board under the prefix, per tenant', () => {
    expect(leaderboardKey('{beacon}', 't1', 'all-time')).toBe('{beacon}:leaderboard:t1:all-time');
    expect(challengeBoardKey('{beacon}', 't1', 'c1')).toBe('{beacon}:leaderboard:t1:challenge:c1');
  });
});

describe('ranking', () => {
  const board: ScoredMember[] = [
    { member: 'a', score: 50 },
    { member: 'b', score: 40 },
    { member: 'c', score: 40 },
    { member: 'd', score: 30 },
    { member: 'e', score: 20 },
  ];

  it('gives equal scores the same rank and skips the next ("1224")', () => {
    expect(rankTop(board, new Set(), 10).map((entry) => [entry.member, entry.rank])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 2],
      ['d', 4],
      ['e', 5],
    ]);
  });

  it('leaves excluded members out without letting them take a rank', () => {
    expect(rankTop(board, new Set(['a', 'c']), 2).map((entry) => [entry.member, entry.rank])).toEqual([
      ['b', 1],
      ['d', 2],
    ]);
  });

  it('ranks a member after the kept members with more points', () => {
    expect(rankOf(3, 1)).toBe(3);
    expect(rankOf(0, 0)).toBe(1);
  });

  it('agrees with rankOf for every member of a board (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({ member: fc.string({ minLength: 1, maxLength: 4 }), score: fc.integer({ min: 0, max: 20 }) }),
          {
            selector: (entry) => entry.member,
            maxLength: 30,
          },
        ),
        fc.func(fc.boolean()),
        (entries, isExcluded) => {
          const sorted = [...entries].sort((x, y) => y.score - x.score);
          const excluded = new Set(entries.filter((entry) => isExcluded(entry.member)).map((entry) => entry.member));
          const ranked = rankTop(sorted, excluded, sorted.length);
          expect(ranked.length).toBe(entries.length - excluded.size);
          for (const entry of ranked) {
            const higher = entries.filter((other) => other.score > entry.score);
            const higherExcluded = higher.filter((other) => excluded.has(other.member)).length;
            expect(entry.rank).toBe(rankOf(higher.length, higherExcluded));
          }
        },
      ),
    );
  });
});
