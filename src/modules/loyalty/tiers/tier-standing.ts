import { EntityManager } from 'typeorm';
import { DomainEvent } from '../../../common/outbox/outbox';
import { LockedAccount } from '../ledger/ledger';
import {
  DowngradePolicy,
  downgradeTarget,
  qualifyingWindows,
  TierDefinition,
  TierStanding,
  tierFor,
} from './tier-evaluation';

export interface TierRow {
  id: string;
  name: string;
  threshold: string | number;
  basis: 'lifetime' | 'qualifying';
  window_days: number | null;
  rank: number;
  benefits: { earn_multiplier?: number };
}

export async function loadTiers(
  manager: EntityManager,
  tenantId: string,
  programId: string,
): Promise<TierDefinition[]> {
  const rows = (await manager.query(
    `SELECT ${TIER_COLUMNS} FROM tiers WHERE tenant_id = $1 AND program_id = $2 ORDER BY rank`,
    [tenantId, programId],
  )) as TierRow[];
  return rows.map(toTierDefinition);
}

export const TIER_COLUMNS = `id, name, threshold, basis, window_days, rank, benefits`;

/** A tiers row (from pg, or from json_agg, where numbers arrive as numbers) as the engine sees it. */
export function toTierDefinition(row: TierRow): TierDefinition {
  return {
    id: row.id,
    name: row.name,
    threshold: Number(row.threshold),
    basis: row.basis,
    window_days: row.window_days,
    rank: row.rank,
    benefits: { earn_multiplier: Number(row.benefits?.earn_multiplier ?? 1) },
  };
}

/** Lifetime points and, per distinct qualifying window, the points earned inside it. */
export async function standingOf(
  manager: EntityManager,
  account: LockedAccount,
  tiers: readonly TierDefinition[],
  now: Date,
): Promise<TierStanding> {
  const windows = qualifyingWindows(tiers);
  const qualifying: Record<number, number> = {};
  if (windows.length > 0) {
    const sums = (await manager.query(
      `SELECT w AS window_days, COALESCE(sum(t.points), 0)::bigint AS points
         FROM unnest($3::int[]) AS w
         LEFT JOIN point_transactions t
           ON t.tenant_id = $1 AND t.account_id = $2 AND t.type IN ('earn', 'reverse')
          AND t.created_at > $4::timestamptz - make_interval(days => w)
        GROUP BY w`,
      [account.tenantId, account.id, windows, now],
    )) as Array<{ window_days: number; points: string }>;
    for (const sum of sums) qualifying[sum.window_days] = Math.max(0, Number(sum.points));
  }
  return { lifetime_points: account.lifetimePoints, qualifying_points_in_window: qualifying };
}

export interface TierMove {
  from: TierDefinition | null;
  to: TierDefinition | null;
}

/**
 * Moves the account to `target` when it differs from its tier: updates the account, appends the
 * tier history and returns the `tier.changed` event to put in the outbox.
 *
 * The target tier is KEY SHARE-locked as the account moves into it, so a concurrent delete of it
 * (which locks it FOR UPDATE before counting its holders, see TiersService.remove) goes one way
 * or the other: the delete waits for this transaction and then counts this account (409
 * tier_in_use), or this move waits for the delete and finds no tier to move into (the account
 * stays where it was, and null is returned).
 */
export async function moveTier(
  manager: EntityManager,
  account: LockedAccount,
  tiers: readonly TierDefinition[],
  target: TierDefinition | null,
  reason: string,
): Promise<DomainEvent | null> {
  if ((target?.id ?? null) === account.tierId) return null;
  const from = tiers.find((tier) => tier.id === account.tierId) ?? null;
  const moved = (await manager.query(
    `UPDATE loyalty_accounts SET tier_id = $3, tier_since = now(), updated_at = now()
      WHERE tenant_id = $1 AND id = $2
        AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM tiers WHERE tenant_id = $1 AND id = $3 FOR KEY SHARE))`,
    [account.tenantId, account.id, target?.id ?? null],
  )) as [unknown[], number];
  if (moved[1] === 0) return null;
  await manager.query(
    `INSERT INTO tier_changes (tenant_id, account_id, from_tier_id, to_tier_id, reason) VALUES ($1, $2, $3, $4, $5)`,
    [account.tenantId, account.id, account.tierId, target?.id ?? null, reason],
  );
  account.tierId = target?.id ?? null;
  return {
    type: 'tier.changed',
    aggregateType: 'customer',
    aggregateId: account.customerId,
    payload: {
      customer_id: account.customerId,
      program_id: account.programId,
      from_tier: from ? { id: from.id, name: from.name } : null,
      to_tier: target ? { id: target.id, name: target.name } : null,
      direction: (target?.rank ?? -1) > (from?.rank ?? -1) ? 'up' : 'down',
      reason,
    },
  };
}

/** After points were earned: upgrades at once; a downgrade waits for the scheduled review. */
export async function upgradeIfEarned(
  manager: EntityManager,
  account: LockedAccount,
  tiers: readonly TierDefinition[],
  now: Date,
): Promise<DomainEvent | null> {
  if (tiers.length === 0) return null;
  const computed = tierFor(tiers, await standingOf(manager, account, tiers, now));
  const current = tiers.find((tier) => tier.id === account.tierId) ?? null;
  if (computed === null || (current !== null && computed.rank <= current.rank)) return null;
  return moveTier(manager, account, tiers, computed, 'earned');
}

/** The scheduled review: where the customer's points now put them, under the program's downgrade policy. */
export async function reviewTier(
  manager: EntityManager,
  account: LockedAccount,
  tiers: readonly TierDefinition[],
  policy: DowngradePolicy,
  now: Date,
): Promise<DomainEvent | null> {
  const computed = tiers.length ? tierFor(tiers, await standingOf(manager, account, tiers, now)) : null;
  const current = tiers.find((tier) => tier.id === account.tierId) ?? null;
  const target = downgradeTarget(current, computed, policy, tiers);
  return moveTier(
    manager,
    account,
    tiers,
    target,
    target && current && target.rank < current.rank ? 'review_downgrade' : 'review',
  );
}
