import { localMoment } from '../loyalty/rules/local-time';
import { addDays } from './streaks';

/**
 * Leaderboards live in Redis sorted sets (member: customer id, score: points), one per tenant and
 * period bucket, plus one per challenge. Weeks (Monday to Sunday) and months are the tenant's
 * local ones: a board rolls over at the tenant's midnight, not at UTC's.
 */
export const LEADERBOARD_PERIODS = ['weekly', 'monthly', 'all-time'] as const;
export type LeaderboardPeriod = (typeof LEADERBOARD_PERIODS)[number];

/** `all_time` is accepted too: both spellings appear in client code. */
export function parsePeriod(value: string): LeaderboardPeriod | null {
  const period = value === 'all_time' ? 'all-time' : value;
  return (LEADERBOARD_PERIODS as readonly string[]).includes(period) ? (period as LeaderboardPeriod) : null;
}

/** The bucket of `period` that `instant` falls in: `weekly:2025-01-13` (its Monday), `monthly:2025-01`, `all-time`. */
export function periodBucket(period: LeaderboardPeriod, instant: Date, timeZone: string): string {
  if (period === 'all-time') return 'all-time';
  const local = localMoment(instant, timeZone);
  if (period === 'monthly') return `monthly:${local.date.slice(0, 7)}`;
  return `weekly:${addDays(local.date, 1 - local.isoWeekday)}`;
}

/** Every bucket an earn at `instant` adds to. */
export function bucketsAt(instant: Date, timeZone: string): string[] {
  return LEADERBOARD_PERIODS.map((period) => periodBucket(period, instant, timeZone));
}

/**
 * How long a period's set is kept after its last write: long enough to read last week's or last
 * month's board, short enough that old buckets do not pile up. The all-time board never expires.
 */
export function bucketTtlSeconds(bucket: string): number | null {
  if (bucket.startsWith('weekly:')) return 35 * 86_400;
  if (bucket.startsWith('monthly:')) return 400 * 86_400;
  return null;
}

/** `{beacon}:leaderboard:<tenant>:<bucket>`: under the Redis prefix (a Cluster hash tag) so tests and tenants never collide. */
export function leaderboardKey(prefix: string, tenantId: string, bucket: string): string {
  return `${prefix}:leaderboard:${tenantId}:${bucket}`;
}

export function challengeBoardKey(prefix: string, tenantId: string, challengeId: string): string {
  return leaderboardKey(prefix, tenantId, `challenge:${challengeId}`);
}

export interface ScoredMember {
  member: string;
  score: number;
}

export interface RankedMember extends ScoredMember {
  /** Competition ranking ("1224"): equal scores share a rank, the next rank skips. */
  rank: number;
}

/**
 * Ranks the top of a board, highest score first, leaving out excluded members (opted-out or
 * erased customers): they neither appear nor take a rank. `sorted` must be in descending score
 * order and hold the whole top of the board down to at least `limit` kept members.
 */
export function rankTop(sorted: readonly ScoredMember[], excluded: ReadonlySet<string>, limit: number): RankedMember[] {
  const ranked: RankedMember[] = [];
  let position = 0;
  let previous: RankedMember | null = null;
  for (const entry of sorted) {
    if (excluded.has(entry.member)) continue;
    position++;
    if (ranked.length === limit) break;
    const rank: number = previous !== null && previous.score === entry.score ? previous.rank : position;
    previous = { ...entry, rank };
    ranked.push(previous);
  }
  return ranked;
}

/** A member's rank: one more than the members kept on the board with a strictly higher score. */
export function rankOf(higherOnBoard: number, higherExcluded: number): number {
  return higherOnBoard - higherExcluded + 1;
}
