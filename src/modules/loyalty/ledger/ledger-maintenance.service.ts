import { Injectable, Logger } from '@nestjs/common';
import { appendToOutbox, DomainEvent } from '../../../common/outbox/outbox';
import { TenantDatabase } from '../../../database/tenant-database.service';
import { DowngradePolicy, TierDefinition } from '../tiers/tier-evaluation';
import { loadTiers, reviewTier } from '../tiers/tier-standing';
import { expireLots, LockedAccount, lockAccountById, releasePending } from './ledger';

/** Accounts read per candidate query; each account is then changed in its own short transaction. */
export const ACCOUNTS_PER_BATCH = 500;

/** Below every uuid: the cursor of a tenant's first batch. */
const BEFORE_FIRST_ID = '00000000-0000-0000-0000-000000000000';

const DAY_MS = 86_400_000;

/** How long a tier without a qualifying window (a lifetime tier) is kept before a review may lower it. */
export const DEFAULT_TIER_PERIOD_DAYS = 365;

export interface PointsRunSummary {
  tenants: number;
  /** Accounts whose points changed. */
  accounts: number;
  /** Held points made spendable. */
  released: number;
  /** Spendable points written off, released ones included. */
  expired: number;
  /** Accounts (or whole tenants) skipped after an error; the next run retries them. */
  failed: number;
}

export interface TierReviewSummary {
  tenants: number;
  programs: number;
  reviewed: number;
  upgraded: number;
  downgraded: number;
  failed: number;
}

interface ProgramToReview {
  id: string;
  tier_downgrade_policy: DowngradePolicy;
}

/**
 * The policy the review applies to one account. The review runs often (daily by default) so that
 * upgrades never wait, but a downgrade only once the customer has held their tier for a full
 * period: the tier's qualifying window, or DEFAULT_TIER_PERIOD_DAYS for a tier without one. So
 * 'period_end' means "at the first review after the period since the tier was reached", and
 * 'one_step' costs one rank per period (each move restarts the period), whatever the schedule.
 * A tier with no recorded start (tier_since) is open to review at once.
 */
export function downgradePolicyAtReview(
  policy: DowngradePolicy,
  current: TierDefinition | null,
  tierSince: Date | null,
  now: Date,
): DowngradePolicy {
  // A value the ladder does not know keeps the tier rather than strip it (downgradeTarget would).
  if (policy !== 'period_end' && policy !== 'one_step') return 'never';
  if (current === null || tierSince === null) return policy;
  const periodDays =
    current.basis === 'qualifying' && current.window_days !== null ? current.window_days : DEFAULT_TIER_PERIOD_DAYS;
  return now.getTime() - tierSince.getTime() >= periodDays * DAY_MS ? policy : 'never';
}

/**
 * The scheduled passes over loyalty accounts: release of pending points then points expiry, tier
 * review. Each goes tenant by tenant (row-level security hides every other tenant's rows) and
 * account by account, each account in its own short transaction that starts by locking the
 * account row: API traffic on the same account waits for a few milliseconds at most, and two
 * runs at once (another worker replica, or a run outlasting its interval) find the work already
 * done once they get the lock. Candidates are read in batches ordered by account id, resuming
 * after the last id, so no run holds a long transaction however large the tenant.
 */
@Injectable()
export class LedgerMaintenanceService {
  private readonly logger = new Logger(LedgerMaintenanceService.name);

  constructor(private readonly database: TenantDatabase) {}

  /**
   * Makes spendable the held points whose pending period has ended by `now`, then writes off the
   * spendable points that have expired by then, in every tenant.
   */
  releaseAndExpirePoints(now = new Date(), batchSize = ACCOUNTS_PER_BATCH): Promise<PointsRunSummary> {
    return this.inEveryTenant(
      'points pass',
      { tenants: 0, accounts: 0, released: 0, expired: 0, failed: 0 },
      (tenantId) => this.releaseAndExpirePointsOfTenant(tenantId, now, batchSize),
    );
  }

  /**
   * Every account with held points due for release or spendable points due to expire, each in its
   * own transaction: release first, so that a held lot that has expired too is written off now
   * rather than by the next run (what `duePointsJoin` already shows readers). A `points.available`
   * event per account whose held points became spendable; an `expire` ledger row and a
   * `points.expired` event per account that lost points.
   */
  async releaseAndExpirePointsOfTenant(
    tenantId: string,
    now = new Date(),
    batchSize = ACCOUNTS_PER_BATCH,
  ): Promise<PointsRunSummary> {
    const summary: PointsRunSummary = { tenants: 1, accounts: 0, released: 0, expired: 0, failed: 0 };
    let afterId = BEFORE_FIRST_ID;
    for (;;) {
      // Each branch is served by its partial index: point_lots_pending_idx (tenant_id, available_at)
      // WHERE pending, and point_lots_expiry_idx (tenant_id, expires_at) WHERE remaining > 0. Held
      // lots are not in the second branch: only spendable points expire (as in expireLots), and a
      // held lot that is due comes in through the first.
      const batch = (await this.database.run(tenantId, (manager) =>
        manager.query(
          `SELECT account_id FROM point_lots
            WHERE tenant_id = $1 AND pending AND available_at <= $2 AND account_id > $3
           UNION
           SELECT account_id FROM point_lots
            WHERE tenant_id = $1 AND remaining > 0 AND expires_at <= $2 AND NOT pending AND account_id > $3
           ORDER BY account_id LIMIT $4`,
          [tenantId, now, afterId, batchSize],
        ),
      )) as Array<{ account_id: string }>;
      for (const { account_id: accountId } of batch) {
        try {
          const { released, expired } = await this.releaseAndExpireAccount(tenantId, accountId, now);
          if (released > 0 || expired > 0) summary.accounts += 1;
          summary.released += released;
          summary.expired += expired;
        } catch (error) {
          summary.failed += 1;
          this.logger.warn(`points pass skipped account ${accountId} of tenant ${tenantId}: ${messageOf(error)}`);
        }
      }
      if (batch.length < batchSize) return summary;
      afterId = batch[batch.length - 1].account_id;
    }
  }

  /**
   * Reviews the tier of every account of every program that has tiers, in every tenant. Programs
   * whose policy is 'never' are reviewed too: an upgrade can be due without a new earn (a tier
   * added or a threshold lowered, a reversal leaving a qualifying window).
   */
  reviewTiers(now = new Date(), batchSize = ACCOUNTS_PER_BATCH): Promise<TierReviewSummary> {
    return this.inEveryTenant(
      'tier review',
      { tenants: 0, programs: 0, reviewed: 0, upgraded: 0, downgraded: 0, failed: 0 },
      (tenantId) => this.reviewTiersOfTenant(tenantId, now, batchSize),
    );
  }

  async reviewTiersOfTenant(
    tenantId: string,
    now = new Date(),
    batchSize = ACCOUNTS_PER_BATCH,
  ): Promise<Omit<TierReviewSummary, 'tenants'>> {
    const summary = { programs: 0, reviewed: 0, upgraded: 0, downgraded: 0, failed: 0 };
    const programs = await this.database.run(
      tenantId,
      (manager) =>
        manager.query(
          `SELECT p.id, p.tier_downgrade_policy FROM programs p
            WHERE p.tenant_id = $1 AND EXISTS (SELECT 1 FROM tiers t WHERE t.tenant_id = p.tenant_id AND t.program_id = p.id)
            ORDER BY p.id`,
          [tenantId],
        ) as Promise<ProgramToReview[]>,
    );
    for (const program of programs) {
      summary.programs += 1;
      let afterId = BEFORE_FIRST_ID;
      for (;;) {
        // The ladder and the policy are read afresh with each batch, so an edit made during a long
        // run applies from the next batch on.
        const { accountIds, tiers, policy } = await this.database.run(tenantId, async (manager) => {
          const rows = (await manager.query(
            `SELECT id FROM loyalty_accounts WHERE tenant_id = $1 AND program_id = $2 AND id > $3 ORDER BY id LIMIT $4`,
            [tenantId, program.id, afterId, batchSize],
          )) as Array<{ id: string }>;
          const [current] = (await manager.query(
            `SELECT tier_downgrade_policy FROM programs WHERE tenant_id = $1 AND id = $2`,
            [tenantId, program.id],
          )) as Array<{ tier_downgrade_policy: DowngradePolicy }>;
          return {
            accountIds: rows.map((row) => row.id),
            tiers: await loadTiers(manager, tenantId, program.id),
            policy: current?.tier_downgrade_policy ?? program.tier_downgrade_policy,
          };
        });
        if (accountIds.length === 0 || tiers.length === 0) break;
        for (const accountId of accountIds) {
          try {
            const change = await this.reviewAccount(tenantId, accountId, tiers, policy, now);
            summary.reviewed += 1;
            if (change?.payload.direction === 'up') summary.upgraded += 1;
            if (change?.payload.direction === 'down') summary.downgraded += 1;
          } catch (error) {
            summary.failed += 1;
            this.logger.warn(`tier review skipped account ${accountId} of tenant ${tenantId}: ${messageOf(error)}`);
          }
        }
        afterId = accountIds[accountIds.length - 1];
        if (accountIds.length < batchSize) break;
      }
    }
    return summary;
  }

  private reviewAccount(
    tenantId: string,
    accountId: string,
    tiers: readonly TierDefinition[],
    policy: DowngradePolicy,
    now: Date,
  ): Promise<DomainEvent | null> {
    return this.database.run(tenantId, async (manager) => {
      const account = await lockAccountById(manager, tenantId, accountId);
      if (!account) return null;
      const [{ tier_since }] = (await manager.query(
        `SELECT tier_since FROM loyalty_accounts WHERE tenant_id = $1 AND id = $2`,
        [tenantId, accountId],
      )) as Array<{ tier_since: Date | null }>;
      const current = tiers.find((tier) => tier.id === account.tierId) ?? null;
      const change = await reviewTier(
        manager,
        account,
        tiers,
        downgradePolicyAtReview(policy, current, tier_since, now),
        now,
      );
      if (change) await appendToOutbox(manager, tenantId, [change]);
      return change;
    });
  }

  /**
   * The lock makes the pass idempotent: a concurrent run or API request that got there first
   * leaves nothing due, and both steps return 0. Each event carries the balance its step left.
   */
  private releaseAndExpireAccount(
    tenantId: string,
    accountId: string,
    now: Date,
  ): Promise<{ released: number; expired: number }> {
    return this.database.run(tenantId, async (manager) => {
      const account = await lockAccountById(manager, tenantId, accountId);
      if (!account) return { released: 0, expired: 0 };
      const events: DomainEvent[] = [];
      const released = await releasePending(manager, account, now);
      if (released > 0) events.push(pointsEvent('points.available', account, released));
      const expired = await expireLots(manager, account, now);
      if (expired > 0) events.push(pointsEvent('points.expired', account, expired));
      await appendToOutbox(manager, tenantId, events);
      return { released, expired };
    });
  }

  /**
   * Runs a pass tenant by tenant and adds up the counts of each into `summary`. A tenant that
   * fails as a whole is counted as one failure and the pass goes on with the next.
   */
  private async inEveryTenant<S extends { tenants: number; failed: number }>(
    pass: string,
    summary: S,
    work: (tenantId: string) => Promise<Partial<S>>,
  ): Promise<S> {
    const totals = summary as unknown as Record<string, number>;
    for (const tenantId of await this.tenantIds()) {
      totals.tenants += 1;
      try {
        const result = await work(tenantId);
        for (const [key, value] of Object.entries(result))
          if (key !== 'tenants' && typeof value === 'number') totals[key] += value;
      } catch (error) {
        totals.failed += 1;
        this.logger.warn(`${pass} skipped tenant ${tenantId}: ${messageOf(error)}`);
      }
    }
    return summary;
  }

  private async tenantIds(): Promise<string[]> {
    const rows = await this.database.runAsPlatform(
      (manager) => manager.query(`SELECT id FROM tenants ORDER BY id`) as Promise<Array<{ id: string }>>,
    );
    return rows.map((row) => row.id);
  }
}

function pointsEvent(type: 'points.available' | 'points.expired', account: LockedAccount, points: number): DomainEvent {
  return {
    type,
    aggregateType: 'customer',
    aggregateId: account.customerId,
    payload: { customer_id: account.customerId, program_id: account.programId, points, balance: account.balance },
  };
}

/** Error text for the log: database and driver messages name constraints and ids, not customer data. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
