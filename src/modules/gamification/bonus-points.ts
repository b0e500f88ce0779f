import { EntityManager } from 'typeorm';
import { DomainEvent } from '../../common/outbox/outbox';
import { loadProgram, loadSettings } from '../loyalty/activities/earning-context';
import { expiryFor } from '../loyalty/ledger/expiry-policy';
import { credit, LockedAccount } from '../loyalty/ledger/ledger';
import { loadTiers, upgradeIfEarned } from '../loyalty/tiers/tier-standing';

export interface Bonus {
  points: number;
  /** Shown in the customer's history: "Achievement: First visit". */
  reason: string;
  /** What paid it: `achievement:<id>` or `challenge:<id>`. */
  reference: string;
  /** The activity it came with, for the ledger's trail. */
  activityId: string | null;
}

/**
 * Credits points that a badge or a challenge pays, on an account the caller has locked: an `earn`
 * row like any other (it counts towards tiers and leaderboards), spendable at once, expiring by
 * the program's policy. A tier the points reach is granted at once, as for rule points.
 */
export async function creditBonus(
  manager: EntityManager,
  account: LockedAccount,
  bonus: Bonus,
  now: Date,
): Promise<DomainEvent[]> {
  const program = await loadProgram(manager, account.tenantId, account.programId);
  const settings = await loadSettings(manager, account.tenantId);
  await credit(
    manager,
    account,
    [
      {
        type: 'earn',
        points: bonus.points,
        reason: bonus.reason.slice(0, 500),
        reference: bonus.reference,
        activityId: bonus.activityId,
      },
    ],
    { now, availableAt: null, expiresAt: expiryFor(program.expiry, now, settings.loyalty.time_zone) },
  );
  const events: DomainEvent[] = [
    {
      type: 'points.earned',
      aggregateType: 'customer',
      aggregateId: account.customerId,
      payload: {
        customer_id: account.customerId,
        program_id: account.programId,
        activity_id: bonus.activityId,
        points: bonus.points,
        reason: bonus.reason,
        reference: bonus.reference,
        balance: account.balance,
        pending_balance: account.pendingBalance,
      },
    },
  ];
  const tierChange = await upgradeIfEarned(
    manager,
    account,
    await loadTiers(manager, account.tenantId, program.id),
    now,
  );
  if (tierChange) events.push(tierChange);
  return events;
}

/**
 * Reloads a locked account's figures into the object the activity path holds: a nested activity
 * (a completed challenge) credits through an object of its own, and the ledger's `balance_after`
 * is computed from the object, so it must not go stale.
 */
export async function refreshAccount(manager: EntityManager, account: LockedAccount): Promise<void> {
  const [row] = (await manager.query(
    `SELECT balance, pending_balance, lifetime_points, tier_id FROM loyalty_accounts WHERE tenant_id = $1 AND id = $2`,
    [account.tenantId, account.id],
  )) as Array<{ balance: string; pending_balance: string; lifetime_points: string; tier_id: string | null }>;
  if (!row) return;
  account.balance = Number(row.balance);
  account.pendingBalance = Number(row.pending_balance);
  account.lifetimePoints = Number(row.lifetime_points);
  account.tierId = row.tier_id;
}
