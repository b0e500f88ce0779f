import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { NotFoundError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { REDIS } from '../../common/redis/redis.module';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { TenantDatabase } from '../../database/tenant-database.service';
import type { AppliedRefund } from '../loyalty/activities/activity-listener';
import { ContextRead, loadSettings, periodStarts } from '../loyalty/activities/earning-context';
import { localMidnight } from '../loyalty/ledger/expiry-policy';
import { resolveSettings } from '../tenants/tenant-settings';
import { AfterCommit } from './after-commit';
import { LeaderboardDto, LeaderboardEntryDto } from './dto/leaderboard.dto';
import { LeaderboardIncrements } from './leaderboard-increments';
import {
  bucketsAt,
  bucketTtlSeconds,
  challengeBoardKey,
  LeaderboardPeriod,
  leaderboardKey,
  periodBucket,
  rankOf,
  rankTop,
  ScoredMember,
} from './leaderboard-keys';

/**
 * Points earned at one instant (an earn row's created_at decides its week and month). Negative
 * when a refund takes earning back: then at the instant the purchase earned, so that it comes off
 * the week and month the purchase counted in.
 */
export interface Earned {
  points: number;
  at: Date;
}

export interface RebuildSummary {
  tenants: number;
  boards: number;
  members: number;
  failed: number;
}

/** Members written per ZADD while rebuilding: large boards go in slices, not one giant command. */
const REBUILD_SLICE = 1000;

/**
 * Points earned per listed customer of tenant $1 since the week's start ($2), since the month's
 * start ($3) and in all: the earn rows, less the refunds' reversals. A reverse row counts its
 * whole reversed share, `points - shortfall` (`points` is what was taken back, negative; see
 * addRefund for why the shortfall counts), at the instant the purchase earned that rule's points,
 * as the live path does. The refund activity names the purchase in `refund_of` (the reverse rows
 * carry it as their text `reference`). Spending (`redeem`), expiry (`expire`) and staff
 * adjustments (`adjust`) are not earning and do not count.
 */
const EARNED_BY_CUSTOMER = `
  WITH earning AS (
    SELECT t.account_id, t.points, t.created_at AS earned_at
      FROM point_transactions t
     WHERE t.tenant_id = $1 AND t.type = 'earn'
    UNION ALL
    SELECT r.account_id, r.points - r.shortfall, purchase.earned_at
      FROM point_transactions r
      JOIN activities refund ON refund.tenant_id = r.tenant_id AND refund.id = r.activity_id
      JOIN LATERAL (
        SELECT max(e.created_at) AS earned_at
          FROM point_transactions e
         WHERE e.tenant_id = r.tenant_id AND e.activity_id = refund.refund_of AND e.type = 'earn'
           AND e.rule_id = r.rule_id
      ) purchase ON purchase.earned_at IS NOT NULL
     WHERE r.tenant_id = $1 AND r.type = 'reverse'
  )
  SELECT a.customer_id,
         COALESCE(sum(x.points) FILTER (WHERE x.earned_at >= $2), 0)::bigint AS weekly,
         COALESCE(sum(x.points) FILTER (WHERE x.earned_at >= $3), 0)::bigint AS monthly,
         sum(x.points)::bigint AS all_time
    FROM earning x
    JOIN loyalty_accounts a ON a.tenant_id = $1 AND a.id = x.account_id
    JOIN customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id
   WHERE NOT c.leaderboard_opt_out AND c.status = 'active'
   GROUP BY a.customer_id`;

/** Challenge boards are rebuilt while the challenge runs and this long after it ended. */
const CHALLENGE_BOARD_DAYS_AFTER_END = 35;

const DAY_MS = 86_400_000;

/**
 * Leaderboards in Redis sorted sets: points earned per customer, per tenant, this week, this
 * month and all time, plus each challenge's participants by progress. Redis only holds a derived
 * view: every earn is in the ledger and every contribution in challenge_participants, and the
 * worker's rebuild job recomputes the boards from there, so losing Redis loses no data.
 *
 * Points earned are the ledger's `earn` rows less what refunds reversed of them (see `addRefund`);
 * spending points (`redeem`), their expiry (`expire`) and staff adjustments (`adjust`) leave the
 * boards alone. A customer whose points on a board come to 0 or below leaves it (see
 * LeaderboardIncrements), as one who never earned is not on it.
 *
 * Only customers ever appear (staff are users, not customers); customers who opted out of
 * leaderboards, or were erased, are left out when written, when rebuilt and when read (the read
 * covers those who opted out after earning).
 */
@Injectable()
export class LeaderboardsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LeaderboardsService.name);
  private readonly prefix: string;
  private readonly increments: LeaderboardIncrements;

  constructor(
    private readonly database: TenantDatabase,
    private readonly afterCommit: AfterCommit,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = config.QUEUE_PREFIX;
    this.increments = new LeaderboardIncrements(redis, (error) =>
      this.logger.warn(`leaderboard increments failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Increments still gathering reach Redis before the process stops (Redis closes after this). */
  beforeApplicationShutdown(): Promise<void> {
    return this.increments.flush();
  }

  /** Whether the customer may appear on boards: an active customer who has not opted out. */
  async isListed(manager: EntityManager, tenantId: string, customerId: string): Promise<boolean> {
    const [row] = (await manager.query(
      `SELECT leaderboard_opt_out, status FROM customers WHERE tenant_id = $1 AND id = $2`,
      [tenantId, customerId],
    )) as Array<{ leaderboard_opt_out: boolean; status: string }>;
    return !!row && !row.leaderboard_opt_out && row.status === 'active';
  }

  /**
   * Adds earned points (or, negative, takes them back) to the customer's boards once the
   * transaction commits. `standing` (whether the customer is listed, and the tenant's time zone)
   * saves a round trip when the caller has it.
   */
  async addEarned(
    manager: EntityManager,
    tenantId: string,
    customerId: string,
    earned: Earned[],
    standing?: { listed: boolean; timeZone: string },
  ): Promise<void> {
    const earning = earned.filter((entry) => entry.points !== 0);
    if (earning.length === 0) return;
    const { listed, timeZone } = standing ?? (await this.standingOf(manager, tenantId, customerId));
    if (!listed) return;
    this.afterCommit.schedule(manager, async () => {
      // Gathered with other requests' increments (see LeaderboardIncrements): the request does
      // not wait for Redis. No MULTI: the increments need no atomicity among themselves (a
      // partial write is derived state the rebuild job repairs).
      for (const entry of earning) {
        for (const bucket of bucketsAt(entry.at, timeZone)) {
          this.increments.add(
            leaderboardKey(this.prefix, tenantId, bucket),
            customerId,
            entry.points,
            bucketTtlSeconds(bucket),
          );
        }
      }
    });
  }

  /**
   * A refund on the customer's boards, once it commits: the purchase's reversed points come off
   * the buckets they were counted in (the purchase's week and month, not the refund's: a refund
   * next week does not lower next week's board; a bucket that has expired from Redis is skipped),
   * and the points the tenant's refund rules gave go on like any earning. A customer not listed
   * (opted out) is left alone, as their earnings were.
   *
   * What comes off is the whole reversed share: what the ledger took back and the shortfall (points
   * already spent, or expired) alike. The boards measure points earned, not points held, and
   * spending or expiry never lowered them; counting only what was taken back would let a customer
   * buy, spend the points at once, refund, and keep the rank the purchase gave them. The rebuild
   * counts the same (`points - shortfall` of each `reverse` row; see EARNED_BY_CUSTOMER).
   * `alsoEarned`: what else the refund paid (badges its goodwill unlocked), in the same increment.
   */
  async addRefund(manager: EntityManager, refund: AppliedRefund, alsoEarned: Earned[] = []): Promise<void> {
    await this.addEarned(
      manager,
      refund.tenantId,
      refund.customerId,
      [
        { points: refund.gained, at: refund.earnedAt },
        ...alsoEarned,
        ...refund.reversals.map((reversal) => ({
          points: -(reversal.taken + reversal.shortfall),
          at: reversal.earnedAt,
        })),
      ],
      LeaderboardsService.standingOfRead(refund),
    );
  }

  /** The customer's standing as the activity's reads found it (see listedRead), so addEarned need not ask. */
  static standingOfRead(earning: { reads: Readonly<Record<string, unknown>>; timeZone: string }): {
    listed: boolean;
    timeZone: string;
  } {
    return { listed: earning.reads[LeaderboardsService.listedRead.name] === true, timeZone: earning.timeZone };
  }

  /** Whether the customer's earnings reach the boards, read with the activity (see ActivityListener.reads). */
  static readonly listedRead: ContextRead = {
    name: 'leaderboard_listed',
    sql: `SELECT NOT leaderboard_opt_out FROM customer`,
  };

  private async standingOf(
    manager: EntityManager,
    tenantId: string,
    customerId: string,
  ): Promise<{ listed: boolean; timeZone: string }> {
    const [row] = (await manager.query(
      `SELECT NOT c.leaderboard_opt_out AND c.status = 'active' AS listed, tn.settings
         FROM customers c JOIN tenants tn ON tn.id = c.tenant_id
        WHERE c.tenant_id = $1 AND c.id = $2`,
      [tenantId, customerId],
    )) as Array<{ listed: boolean; settings: unknown }>;
    return { listed: row?.listed === true, timeZone: resolveSettings(row?.settings).loyalty.time_zone };
  }

  /** Sets the customer's score on a challenge's board (their progress) once the transaction commits. */
  async setChallengeScore(
    manager: EntityManager,
    tenantId: string,
    challengeId: string,
    customerId: string,
    progress: number,
  ): Promise<void> {
    if (progress <= 0 || !(await this.isListed(manager, tenantId, customerId))) return;
    this.afterCommit.schedule(manager, () =>
      this.redis.zadd(challengeBoardKey(this.prefix, tenantId, challengeId), progress, customerId),
    );
  }

  /** The current board of a period: the top `limit` and the caller's own standing. */
  async periodBoard(actor: Actor, period: LeaderboardPeriod, limit: number): Promise<LeaderboardDto> {
    const tenantId = tenantIdOf(actor);
    return this.database.run(tenantId, async (manager) => {
      const timeZone = (await loadSettings(manager, tenantId)).loyalty.time_zone;
      const now = new Date();
      const key = leaderboardKey(this.prefix, tenantId, periodBucket(period, now, timeZone));
      const bounds = periodBounds(period, now, timeZone);
      return {
        period,
        starts_at: bounds.startsAt?.toISOString() ?? null,
        ends_at: bounds.endsAt?.toISOString() ?? null,
        ...(await this.read(manager, tenantId, key, actor.kind === 'user' ? actor.userId : null, limit)),
      };
    });
  }

  /** A challenge's board; 404 for a challenge that is not the tenant's (or is hidden). */
  async challengeBoard(actor: Actor, challengeId: string, limit: number): Promise<LeaderboardDto> {
    const tenantId = tenantIdOf(actor);
    if (!isUuid(challengeId)) throw new NotFoundError('Challenge', challengeId);
    return this.database.run(tenantId, async (manager) => {
      const [challenge] = (await manager.query(
        `SELECT starts_at, ends_at FROM challenges WHERE tenant_id = $1 AND id = $2 AND active`,
        [tenantId, challengeId],
      )) as Array<{ starts_at: Date; ends_at: Date }>;
      if (!challenge) throw new NotFoundError('Challenge', challengeId);
      const key = challengeBoardKey(this.prefix, tenantId, challengeId);
      return {
        period: 'challenge',
        starts_at: challenge.starts_at.toISOString(),
        ends_at: challenge.ends_at.toISOString(),
        ...(await this.read(manager, tenantId, key, actor.kind === 'user' ? actor.userId : null, limit)),
      };
    });
  }

  private async read(
    manager: EntityManager,
    tenantId: string,
    key: string,
    callerId: string | null,
    limit: number,
  ): Promise<Pick<LeaderboardDto, 'data' | 'me'>> {
    // What this process has earned and not yet sent is on the board before it is read.
    await this.increments.flush();
    const excluded = await this.unlisted(manager, tenantId);
    // Enough of the top that, after leaving the excluded out, `limit` remain.
    const flat = await this.redis.zrevrange(key, 0, limit + excluded.size - 1, 'WITHSCORES');
    const top = rankTop(pairs(flat), excluded, limit);
    const names = await this.displayNames(
      manager,
      tenantId,
      top.map((entry) => entry.member),
    );
    const data: LeaderboardEntryDto[] = top.map((entry) => ({
      rank: entry.rank,
      display_name: names.get(entry.member) ?? 'Member',
      points: entry.score,
      is_me: entry.member === callerId,
    }));

    if (callerId === null) return { data, me: { rank: null, points: 0, opted_out: false } };
    const score = await this.redis.zscore(key, callerId);
    if (excluded.has(callerId)) return { data, me: { rank: null, points: Number(score ?? 0), opted_out: true } };
    if (score === null) return { data, me: { rank: null, points: 0, opted_out: false } };
    const higher = await this.redis.zcount(key, `(${score}`, '+inf');
    let higherExcluded = 0;
    if (excluded.size > 0) {
      const scores = await this.redis.zmscore(key, ...excluded);
      higherExcluded = scores.filter((value) => value !== null && Number(value) > Number(score)).length;
    }
    return { data, me: { rank: rankOf(higher, higherExcluded), points: Number(score), opted_out: false } };
  }

  /** Customers who must not appear: opted out or erased. */
  private async unlisted(manager: EntityManager, tenantId: string): Promise<Set<string>> {
    const rows = (await manager.query(
      `SELECT id FROM customers WHERE tenant_id = $1 AND (leaderboard_opt_out OR status <> 'active')`,
      [tenantId],
    )) as Array<{ id: string }>;
    return new Set(rows.map((row) => row.id));
  }

  /** "Ann L.": a first name and an initial, what other customers may see of each other. */
  private async displayNames(manager: EntityManager, tenantId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = (await manager.query(
      `SELECT id, first_name, last_name FROM customers WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tenantId, ids],
    )) as Array<{ id: string; first_name: string; last_name: string }>;
    return new Map(
      rows.map((row) => {
        const name = [row.first_name.trim(), row.last_name.trim() ? `${row.last_name.trim()[0]}.` : '']
          .filter(Boolean)
          .join(' ');
        return [row.id, name || 'Member'];
      }),
    );
  }

  /** Rebuilds every tenant's boards from the ledger and the challenge tables. */
  async rebuildAll(now = new Date()): Promise<RebuildSummary> {
    const summary: RebuildSummary = { tenants: 0, boards: 0, members: 0, failed: 0 };
    const tenants = (await this.database.runAsPlatform((manager) =>
      manager.query(`SELECT id FROM tenants ORDER BY id`),
    )) as Array<{ id: string }>;
    for (const { id } of tenants) {
      summary.tenants += 1;
      try {
        const result = await this.rebuildTenant(id, now);
        summary.boards += result.boards;
        summary.members += result.members;
      } catch (error) {
        summary.failed += 1;
        this.logger.warn(`leaderboard rebuild skipped tenant ${id}: ${error instanceof Error ? error.message : error}`);
      }
    }
    return summary;
  }

  /**
   * Recomputes the tenant's current weekly, monthly and all-time boards from the ledger (earn rows
   * less refunds' reversals, see EARNED_BY_CUSTOMER), and the boards of recent challenges from
   * their participants, then swaps each into place with RENAME (readers see the old board or the
   * new one, never half of one). An earn or a refund that commits while a board is being rebuilt
   * may be counted twice or missed on it; the next rebuild settles it.
   */
  async rebuildTenant(tenantId: string, now = new Date()): Promise<{ boards: number; members: number }> {
    // This process's gathered increments land first: sent after the rebuild, they would count twice.
    await this.increments.flush();
    const { timeZone, points, challenges } = await this.database.run(tenantId, async (manager) => {
      const zone = (await loadSettings(manager, tenantId)).loyalty.time_zone;
      const starts = periodStarts(now, zone);
      const rows = (await manager.query(EARNED_BY_CUSTOMER, [tenantId, starts.week, starts.month])) as Array<{
        customer_id: string;
        weekly: string;
        monthly: string;
        all_time: string;
      }>;
      const participants = (await manager.query(
        `SELECT p.challenge_id, p.customer_id, p.progress
           FROM challenge_participants p
           JOIN challenges ch ON ch.tenant_id = p.tenant_id AND ch.id = p.challenge_id
           JOIN customers c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id
          WHERE p.tenant_id = $1 AND p.progress > 0 AND ch.ends_at > $2
            AND NOT c.leaderboard_opt_out AND c.status = 'active'
          ORDER BY p.challenge_id`,
        [tenantId, new Date(now.getTime() - CHALLENGE_BOARD_DAYS_AFTER_END * DAY_MS)],
      )) as Array<{ challenge_id: string; customer_id: string; progress: string }>;
      const recent = (await manager.query(`SELECT id FROM challenges WHERE tenant_id = $1 AND ends_at > $2`, [
        tenantId,
        new Date(now.getTime() - CHALLENGE_BOARD_DAYS_AFTER_END * DAY_MS),
      ])) as Array<{ id: string }>;
      const byChallenge = new Map<string, ScoredMember[]>(recent.map((row) => [row.id, []]));
      for (const row of participants) {
        byChallenge.get(row.challenge_id)?.push({ member: row.customer_id, score: Number(row.progress) });
      }
      return { timeZone: zone, points: rows, challenges: byChallenge };
    });

    const boards: Array<{ key: string; entries: ScoredMember[]; ttl: number | null }> = [];
    const column = { weekly: 'weekly', monthly: 'monthly', 'all-time': 'all_time' } as const;
    for (const period of ['weekly', 'monthly', 'all-time'] as const) {
      const bucket = periodBucket(period, now, timeZone);
      boards.push({
        key: leaderboardKey(this.prefix, tenantId, bucket),
        ttl: bucketTtlSeconds(bucket),
        entries: points
          .map((row) => ({ member: row.customer_id, score: Number(row[column[period]]) }))
          .filter((entry) => entry.score > 0),
      });
    }
    for (const [challengeId, entries] of challenges) {
      boards.push({ key: challengeBoardKey(this.prefix, tenantId, challengeId), ttl: null, entries });
    }
    let members = 0;
    for (const board of boards) {
      await this.replaceBoard(board.key, board.entries, board.ttl);
      members += board.entries.length;
    }
    return { boards: boards.length, members };
  }

  private async replaceBoard(key: string, entries: ScoredMember[], ttl: number | null): Promise<void> {
    if (entries.length === 0) {
      await this.redis.del(key);
      return;
    }
    // Same hash tag as the live key, so RENAME stays within one Redis Cluster slot.
    const staging = `${key}:rebuild:${randomBytes(6).toString('hex')}`;
    for (let index = 0; index < entries.length; index += REBUILD_SLICE) {
      const slice = entries.slice(index, index + REBUILD_SLICE);
      await this.redis.zadd(staging, ...slice.flatMap((entry) => [entry.score, entry.member]));
    }
    const swap = this.redis.multi().rename(staging, key);
    if (ttl !== null) swap.expire(key, ttl);
    await swap.exec();
  }
}

/** ZREVRANGE … WITHSCORES answers [member, score, member, score, …]. */
function pairs(flat: string[]): ScoredMember[] {
  const entries: ScoredMember[] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) {
    entries.push({ member: flat[index], score: Number(flat[index + 1]) });
  }
  return entries;
}

/** Where the period's current board starts and ends (local midnights); open for all time. */
function periodBounds(
  period: LeaderboardPeriod,
  now: Date,
  timeZone: string,
): { startsAt: Date | null; endsAt: Date | null } {
  if (period === 'all-time') return { startsAt: null, endsAt: null };
  const starts = periodStarts(now, timeZone);
  if (period === 'weekly') {
    const start = starts.week;
    const bucket = periodBucket('weekly', now, timeZone).slice('weekly:'.length);
    const [year, month, day] = bucket.split('-').map(Number);
    return { startsAt: start, endsAt: localMidnight(year, month - 1, day + 7, timeZone) };
  }
  const bucket = periodBucket('monthly', now, timeZone).slice('monthly:'.length);
  const [year, month] = bucket.split('-').map(Number);
  return { startsAt: starts.month, endsAt: localMidnight(year, month, 1, timeZone) };
}
