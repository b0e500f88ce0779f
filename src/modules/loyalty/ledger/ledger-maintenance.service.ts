import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
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
  points: number;
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
 * The scheduled passes over loyalty accounts: points expiry, release of pending points, tier
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

  /** Writes off the points of every lot that has expired by `now`, in every tenant. */
  async expirePoints(now = new Date(), batchSize = ACCOUNTS_PER_BATCH): Promise<PointsRunSummary> {
    return this.inEveryTenant((tenantId) => this.expirePointsOfTenant(tenantId, now, batchSize));
  }

  /** One `expire` ledger row and one `points.expired` event per account that lost points. */
  expirePointsOfTenant(tenantId: string, now = new Date(), batchSize = ACCOUNTS_PER_BATCH): Promise<PointsRunSummary> {
    return this.changePoints(
      tenantId,
      batchSize,
      // Served by the partial indexes on remaining > 0 (point_lots_expiry_idx by date, or
      // point_lots_spend_order_idx in account order). Pending lots are left to the release pass:
      // only spendable points expire (as in expireLots).
      (manager, afterId) =>
        manager.query(
          `SELECT DISTINCT account_id FROM point_lots
            WHERE tenant_id = $1 AND remaining > 0 AND expires_at <= $2 AND NOT pending AND account_id > $3
            ORDER BY account_id LIMIT $4`,
          [tenantId, now, afterId, batchSize],
        ),
      (manager, account) => expireLots(manager, account, now),
      'points.expired',
    );
  }

  /** Makes spendable the held points whose pending period has ended by `now`, in every tenant. */
  async releasePendingPoints(now = new Date(), batchSize = ACCOUNTS_PER_BATCH): Promise<PointsRunSummary> {
    return this.inEveryTenant((tenantId) => this.releasePendingPointsOfTenant(tenantId, now, batchSize));
  }

  /** One `points.available` event per account whose held points became spendable. */
  releasePendingPointsOfTenant(
    tenantId: string,
    now = new Date(),
    batchSize = ACCOUNTS_PER_BATCH,
  ): Promise<PointsRunSummary> {
    return this.changePoints(
      tenantId,
      batchSize,
      // point_lots_pending_idx (tenant_id, available_at) WHERE pending.
      (manager, afterId) =>
        manager.query(
          `SELECT DISTINCT account_id FROM point_lots
            WHERE tenant_id = $1 AND pending AND available_at <= $2 AND account_id > $3
            ORDER BY account_id LIMIT $4`,
          [tenantId, now, afterId, batchSize],
        ),
      (manager, account) => releasePending(manager, account, now),
      'points.available',
    );
  }

  /**
   * Reviews the tier of every account of every program that has tiers, in every tenant. Programs
   * whose policy is 'never' are reviewed too: an upgrade can be due without a new earn (a tier
   * added or a threshold lowered, a reversal leaving a qualifying window).
   */
  async reviewTiers(now = new Date(), batchSize = ACCOUNTS_PER_BATCH): Promise<TierReviewSummary> {
    const summary: TierReviewSummary = { tenants: 0, programs: 0, reviewed: 0, upgraded: 0, downgraded: 0, failed: 0 };
    for (const tenantId of await this.tenantIds()) {
      summary.tenants += 1;
      try {
        const result = await this.reviewTiersOfTenant(tenantId, now, batchSize);
        for (const key of ['programs', 'reviewed', 'upgraded', 'downgraded', 'failed'] as const)
          summary[key] += result[key];
      } catch (error) {
        summary.failed += 1;
        this.logger.warn(`tier review skipped tenant ${tenantId}: ${messageOf(error)}`);
      }
    }
    return summary;
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
   * Applies `change` to every candidate account of the tenant, each in its own transaction after
   * locking the account, and writes `eventType` for each account whose points moved. The lock
   * makes the change idempotent: a concurrent run or API request that got there first leaves
   * nothing due, and `change` returns 0.
   */
  private async changePoints(
    tenantId: string,
    batchSize: number,
    candidates: (manager: EntityManager, afterId: string) => Promise<Array<{ account_id: string }>>,
    change: (manager: EntityManager, account: LockedAccount) => Promise<number>,
    eventType: 'points.expired' | 'points.available',
  ): Promise<PointsRunSummary> {
    const summary: PointsRunSummary = { tenants: 1, accounts: 0, points: 0, failed: 0 };
    let afterId = BEFORE_FIRST_ID;
    for (;;) {
      const batch = await this.database.run(tenantId, (manager) => candidates(manager, afterId));
      for (const { account_id: accountId } of batch) {
        try {
          const points = await this.database.run(tenantId, async (manager) => {
            const account = await lockAccountById(manager, tenantId, accountId);
            if (!account) return 0;
            const moved = await change(manager, account);
            if (moved > 0) {
              await appendToOutbox(manager, tenantId, [
                {
                  type: eventType,
                  aggregateType: 'customer',
                  aggregateId: account.customerId,
                  payload: {
                    customer_id: account.customerId,
                    program_id: account.programId,
                    points: moved,
                    balance: account.balance,
                  },
                },
              ]);
            }
            return moved;
          });
          if (points > 0) {
            summary.accounts += 1;
            summary.points += points;
          }
        } catch (error) {
          summary.failed += 1;
          this.logger.warn(`${eventType} skipped account ${accountId} of tenant ${tenantId}: ${messageOf(error)}`);
        }
      }
      if (batch.length < batchSize) return summary;
      afterId = batch[batch.length - 1].account_id;
    }
  }

  private async inEveryTenant(work: (tenantId: string) => Promise<PointsRunSummary>): Promise<PointsRunSummary> {
    const summary: PointsRunSummary = { tenants: 0, accounts: 0, points: 0, failed: 0 };
    for (const tenantId of await this.tenantIds()) {
      summary.tenants += 1;
      try {
        const result = await work(tenantId);
        summary.accounts += result.accounts;
        summary.points += result.points;
        summary.failed += result.failed;
      } catch (error) {
        summary.failed += 1;
        this.logger.warn(`points pass skipped tenant ${tenantId}: ${messageOf(error)}`);
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

/** Error text for the log: database and driver messages name constraints and ids, not customer data. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
