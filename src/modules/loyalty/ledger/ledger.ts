import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { InsufficientPointsError } from './ledger.errors';
import { TransactionType } from './point-transaction.entity';
import { queryPrepared } from '../../../database/prepared';
import { asCtes, Statement } from '../../../database/statements';

/**
 * The points ledger, written only through these functions and only inside a tenant transaction.
 *
 * Invariants (tested with random operation mixes):
 *   balance + pending_balance = sum of the account's ledger rows
 *   balance = sum of `remaining` over its spendable lots; pending_balance = the same over pending lots
 *   balance >= 0 and every lot's 0 <= remaining <= points (CHECK constraints back this up).
 *
 * Every operation starts by locking the account row (`lockAccount`), so operations on one account
 * are serialized: caps, lot consumption and balances are computed on a stable state, while
 * different accounts proceed in parallel. `balance_after` is the account's total (spendable plus
 * pending) after the row.
 */
export interface LockedAccount {
  tenantId: string;
  id: string;
  customerId: string;
  programId: string;
  balance: number;
  pendingBalance: number;
  lifetimePoints: number;
  tierId: string | null;
}

export interface CreditEntry {
  type: Extract<TransactionType, 'earn' | 'adjust'>;
  points: number;
  ruleId?: string | null;
  activityId?: string | null;
  reference?: string | null;
  reason?: string | null;
  actor?: string | null;
}

export interface CreditOptions {
  /** Written in the same statement as the credit (e.g. the activity that earned it): one round trip fewer each. */
  alongside?: Statement[];
  now: Date;
  /** Held until then (the program's pending period); null when spendable at once. */
  availableAt: Date | null;
  expiresAt: Date | null;
}

export interface DebitRequest {
  type: Extract<TransactionType, 'redeem' | 'adjust' | 'reverse' | 'expire'>;
  points: number;
  /** A reversal may find the points already spent: take what is there and record the rest. */
  allowShortfall?: boolean;
  /** Take pending points first (a refund undoes points that may still be held). */
  includePending?: boolean;
  activityId?: string | null;
  ruleId?: string | null;
  reference?: string | null;
  reason?: string | null;
  actor?: string | null;
}

/** Points taken from (or given back to) one lot. */
export interface LotShare {
  lotId: string;
  points: number;
}

export interface DebitResult {
  transactionId: string;
  taken: number;
  shortfall: number;
  balanceAfter: number;
  /** The lots the points came from: what `restoreLots` needs to give them back with their expiry. */
  lots: LotShare[];
}

export interface RestoreEntry {
  reference?: string | null;
  reason?: string | null;
  actor?: string | null;
}

export interface AccountRow {
  id: string;
  customer_id: string;
  program_id: string;
  balance: string;
  pending_balance: string;
  lifetime_points: string;
  tier_id: string | null;
}

export const ACCOUNT_COLUMNS = `id, customer_id, program_id, balance, pending_balance, lifetime_points, tier_id`;

export function toLocked(tenantId: string, row: AccountRow): LockedAccount {
  return {
    tenantId,
    id: row.id,
    customerId: row.customer_id,
    programId: row.program_id,
    balance: Number(row.balance),
    pendingBalance: Number(row.pending_balance),
    lifetimePoints: Number(row.lifetime_points),
    tierId: row.tier_id,
  };
}

const selectForUpdate = async (manager: EntityManager, tenantId: string, customerId: string, programId: string) =>
  (
    (await manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM loyalty_accounts
        WHERE tenant_id = $1 AND customer_id = $2 AND program_id = $3 FOR UPDATE`,
      [tenantId, customerId, programId],
    )) as AccountRow[]
  )[0];

/** The customer's account in the program, created on first use, locked until the transaction ends. */
export async function lockAccount(
  manager: EntityManager,
  tenantId: string,
  customerId: string,
  programId: string,
): Promise<LockedAccount> {
  // The account almost always exists: one round trip then, the insert only on first use.
  const existing = await selectForUpdate(manager, tenantId, customerId, programId);
  return existing ? toLocked(tenantId, existing) : openAccount(manager, tenantId, customerId, programId);
}

/** Creates the customer's account in the program (unless a concurrent call just did) and locks it. */
export async function openAccount(
  manager: EntityManager,
  tenantId: string,
  customerId: string,
  programId: string,
): Promise<LockedAccount> {
  await manager.query(
    `INSERT INTO loyalty_accounts (tenant_id, customer_id, program_id) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id, customer_id, program_id) DO NOTHING`,
    [tenantId, customerId, programId],
  );
  return toLocked(tenantId, (await selectForUpdate(manager, tenantId, customerId, programId))!);
}

/** Locks an account by id; undefined when it does not exist. */
export async function lockAccountById(
  manager: EntityManager,
  tenantId: string,
  accountId: string,
): Promise<LockedAccount | undefined> {
  const [row] = (await manager.query(
    `SELECT ${ACCOUNT_COLUMNS} FROM loyalty_accounts WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, accountId],
  )) as AccountRow[];
  return row ? toLocked(tenantId, row) : undefined;
}

/** Adds points: one ledger row and one lot per entry. Returns the ledger row ids. */
export async function credit(
  manager: EntityManager,
  account: LockedAccount,
  entries: CreditEntry[],
  options: CreditOptions,
): Promise<string[]> {
  const held = options.availableAt !== null && options.availableAt > options.now;
  let total = account.balance + account.pendingBalance;
  let added = 0;
  let earned = 0;
  const rows = entries.map((entry) => {
    if (!Number.isSafeInteger(entry.points) || entry.points <= 0) throw new Error(`credit of ${entry.points} points`);
    total += entry.points;
    added += entry.points;
    if (entry.type === 'earn') earned += entry.points;
    return { id: randomUUID(), entry, balanceAfter: total };
  });
  if (rows.length === 0) return [];
  // One statement: a ledger row and a lot per entry, the account's totals, and what goes alongside.
  const alongside = asCtes(options.alongside ?? []);
  const $ = (index: number) => `$${index + alongside.offset}`;
  await queryPrepared(
    manager,
    `WITH ${alongside.ctes}entry AS (
       SELECT * FROM unnest(${$(3)}::uuid[], ${$(4)}::text[], ${$(5)}::bigint[], ${$(6)}::bigint[], ${$(7)}::uuid[], ${$(8)}::uuid[], ${$(9)}::text[],
                            ${$(10)}::text[], ${$(11)}::text[])
         AS e(id, type, points, balance_after, activity_id, rule_id, reference, reason, actor)
     ), ledger AS (
       INSERT INTO point_transactions
         (tenant_id, id, account_id, type, points, balance_after, pending, activity_id, rule_id, reference, reason, actor,
          created_at)
       SELECT ${$(1)}, id, ${$(2)}, type, points, balance_after, ${$(12)}, activity_id, rule_id, reference, reason, actor, ${$(13)}
         FROM entry
     ), lots AS (
       INSERT INTO point_lots (tenant_id, account_id, transaction_id, points, remaining, earned_at, available_at, pending,
                               expires_at)
       SELECT ${$(1)}, ${$(2)}, id, points, points, ${$(13)}, ${$(14)}, ${$(12)}, ${$(15)} FROM entry
     )
     UPDATE loyalty_accounts
        SET balance = balance + ${$(16)}, pending_balance = pending_balance + ${$(17)}, lifetime_points = lifetime_points + ${$(18)},
            updated_at = now()
      WHERE tenant_id = ${$(1)} AND id = ${$(2)}`,
    [
      ...alongside.values,
      account.tenantId,
      account.id,
      rows.map((row) => row.id),
      rows.map((row) => row.entry.type),
      rows.map((row) => row.entry.points),
      rows.map((row) => row.balanceAfter),
      rows.map((row) => row.entry.activityId ?? null),
      rows.map((row) => row.entry.ruleId ?? null),
      rows.map((row) => row.entry.reference ?? null),
      rows.map((row) => row.entry.reason ?? null),
      rows.map((row) => row.entry.actor ?? null),
      held,
      options.now,
      options.availableAt ?? options.now,
      options.expiresAt,
      held ? 0 : added,
      held ? added : 0,
      earned,
    ],
  );
  if (held) account.pendingBalance += added;
  else account.balance += added;
  account.lifetimePoints += earned;
  return rows.map((row) => row.id);
}

/**
 * Takes up to `points` from the account's lots of one pool, those expiring first first (lots that
 * never expire last, then oldest first). Returns how much came from each lot.
 */
async function consumeLots(
  manager: EntityManager,
  account: LockedAccount,
  points: number,
  pending: boolean,
): Promise<LotShare[]> {
  if (points <= 0) return [];
  const rows = (await manager.query(
    `WITH ordered AS (
       SELECT id, remaining,
              sum(remaining) OVER (ORDER BY expires_at NULLS LAST, earned_at, id) - remaining AS before
         FROM point_lots
        WHERE tenant_id = $1 AND account_id = $2 AND remaining > 0 AND pending = $4
     ), consumed AS (
       UPDATE point_lots l
          SET remaining = l.remaining - LEAST(o.remaining, $3 - o.before)
         FROM ordered o
        WHERE l.tenant_id = $1 AND l.id = o.id AND o.before < $3
       RETURNING l.id, LEAST(o.remaining, $3 - o.before) AS amount
     )
     SELECT id, amount::bigint AS amount FROM consumed`,
    [account.tenantId, account.id, points, pending],
  )) as Array<{ id: string; amount: string }>;
  return rows.map((row) => ({ lotId: row.id, points: Number(row.amount) }));
}

const sumOf = (shares: LotShare[]): number => shares.reduce((sum, share) => sum + share.points, 0);

/** Removes points; refuses (422 insufficient_points) rather than go below zero, unless a shortfall is allowed. */
export async function debit(
  manager: EntityManager,
  account: LockedAccount,
  request: DebitRequest,
): Promise<DebitResult> {
  if (!Number.isSafeInteger(request.points) || request.points < 0) throw new Error(`debit of ${request.points} points`);
  const available = account.balance + (request.includePending ? account.pendingBalance : 0);
  if (request.points > available && !request.allowShortfall)
    throw new InsufficientPointsError(available, request.points);
  const wanted = Math.min(request.points, available);

  const pendingLots = request.includePending
    ? await consumeLots(manager, account, Math.min(wanted, account.pendingBalance), true)
    : [];
  const fromPending = sumOf(pendingLots);
  const spendableLots = await consumeLots(manager, account, wanted - fromPending, false);
  const fromSpendable = sumOf(spendableLots);
  const taken = fromPending + fromSpendable;
  if (taken !== wanted) throw new Error(`ledger drift on account ${account.id}: lots held ${taken} of ${wanted}`);

  const updated = (await manager.query(
    `UPDATE loyalty_accounts
        SET balance = balance - $3, pending_balance = pending_balance - $4, updated_at = now()
      WHERE tenant_id = $1 AND id = $2 AND balance >= $3 AND pending_balance >= $4
      RETURNING balance, pending_balance`,
    [account.tenantId, account.id, fromSpendable, fromPending],
  )) as [Array<{ balance: string; pending_balance: string }>, number];
  if (updated[1] !== 1) throw new InsufficientPointsError(account.balance, request.points);
  account.balance -= fromSpendable;
  account.pendingBalance -= fromPending;

  const balanceAfter = account.balance + account.pendingBalance;
  const [{ id }] = (await manager.query(
    `INSERT INTO point_transactions
       (tenant_id, account_id, type, points, balance_after, activity_id, rule_id, reference, reason, shortfall, actor)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      account.tenantId,
      account.id,
      request.type,
      -taken,
      balanceAfter,
      request.activityId ?? null,
      request.ruleId ?? null,
      request.reference ?? null,
      request.reason ?? null,
      request.points - taken,
      request.actor ?? null,
    ],
  )) as Array<{ id: string }>;
  return {
    transactionId: id,
    taken,
    shortfall: request.points - taken,
    balanceAfter,
    lots: [...pendingLots, ...spendableLots],
  };
}

/**
 * Gives back points that `debit` took, to the very lots they came from (a cancelled redemption):
 * each keeps its original expiry, so a refund cannot extend the life of points. One positive
 * `adjust` ledger row. A lot that has expired meanwhile gets its points back as expired points,
 * which `expireLots` (or the expiry job) writes off again; call it afterwards to do so at once.
 */
export async function restoreLots(
  manager: EntityManager,
  account: LockedAccount,
  lots: LotShare[],
  entry: RestoreEntry,
): Promise<string | null> {
  if (lots.some((lot) => !Number.isSafeInteger(lot.points) || lot.points <= 0)) {
    throw new Error(`restore of ${lots.map((lot) => lot.points).join(', ')} points`);
  }
  if (lots.length === 0) return null;
  // remaining <= points (a CHECK) refuses giving a lot more than it ever held.
  const restored = (await manager.query(
    `UPDATE point_lots l SET remaining = l.remaining + r.points
       FROM unnest($3::uuid[], $4::bigint[]) AS r(id, points)
      WHERE l.tenant_id = $1 AND l.account_id = $2 AND l.id = r.id
      RETURNING l.pending, r.points`,
    [account.tenantId, account.id, lots.map((lot) => lot.lotId), lots.map((lot) => lot.points)],
  )) as [Array<{ pending: boolean; points: string }>, number];
  if (restored[1] !== lots.length) throw new Error(`ledger drift on account ${account.id}: a lot to restore is gone`);
  const toPending = restored[0].filter((row) => row.pending).reduce((sum, row) => sum + Number(row.points), 0);
  const toSpendable = sumOf(lots) - toPending;
  await manager.query(
    `UPDATE loyalty_accounts SET balance = balance + $3, pending_balance = pending_balance + $4, updated_at = now()
      WHERE tenant_id = $1 AND id = $2`,
    [account.tenantId, account.id, toSpendable, toPending],
  );
  account.balance += toSpendable;
  account.pendingBalance += toPending;
  const [{ id }] = (await manager.query(
    `INSERT INTO point_transactions (tenant_id, account_id, type, points, balance_after, reference, reason, actor)
     VALUES ($1, $2, 'adjust', $3, $4, $5, $6, $7) RETURNING id`,
    [
      account.tenantId,
      account.id,
      toSpendable + toPending,
      account.balance + account.pendingBalance,
      entry.reference ?? null,
      entry.reason ?? null,
      entry.actor ?? null,
    ],
  )) as Array<{ id: string }>;
  return id;
}

/** Writes off the spendable points of lots that have expired by `now`; returns the points expired. */
export async function expireLots(manager: EntityManager, account: LockedAccount, now: Date): Promise<number> {
  const [{ due }] = (await manager.query(
    `SELECT COALESCE(sum(remaining), 0)::bigint AS due FROM point_lots
      WHERE tenant_id = $1 AND account_id = $2 AND remaining > 0 AND NOT pending AND expires_at <= $3`,
    [account.tenantId, account.id, now],
  )) as Array<{ due: string }>;
  const points = Number(due);
  if (points === 0) return 0;
  await manager.query(
    `UPDATE point_lots SET remaining = 0
      WHERE tenant_id = $1 AND account_id = $2 AND remaining > 0 AND NOT pending AND expires_at <= $3`,
    [account.tenantId, account.id, now],
  );
  await manager.query(
    `UPDATE loyalty_accounts SET balance = balance - $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
    [account.tenantId, account.id, points],
  );
  account.balance -= points;
  await manager.query(
    `INSERT INTO point_transactions (tenant_id, account_id, type, points, balance_after, reason)
     VALUES ($1, $2, 'expire', $3, $4, 'points expired')`,
    [account.tenantId, account.id, -points, account.balance + account.pendingBalance],
  );
  return points;
}

/** Makes held points spendable once their pending period is over; returns the points released. */
export async function releasePending(manager: EntityManager, account: LockedAccount, now: Date): Promise<number> {
  const [{ released }] = (await manager.query(
    `WITH released AS (
       UPDATE point_lots SET pending = false
        WHERE tenant_id = $1 AND account_id = $2 AND pending AND available_at <= $3
       RETURNING remaining)
     SELECT COALESCE(sum(remaining), 0)::bigint AS released FROM released`,
    [account.tenantId, account.id, now],
  )) as Array<{ released: string }>;
  const points = Number(released);
  if (points > 0) {
    await manager.query(
      `UPDATE loyalty_accounts SET balance = balance + $3, pending_balance = pending_balance - $3, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [account.tenantId, account.id, points],
    );
    account.balance += points;
    account.pendingBalance -= points;
  }
  return points;
}

/**
 * An account's points as they stand at `now`, for readers, when the maintenance jobs (every
 * POINTS_EXPIRY_EVERY_MS) have not yet caught up: held points whose pending period is over count
 * as spendable, and expired points (released ones too) no longer count. It is what `releasePending`
 * then `expireLots` would leave, the housekeeping a redemption does first, so a customer is never
 * shown points that a redemption would refuse, nor refused points the app said were held.
 *
 * A LEFT JOIN LATERAL on the account alias `account` (which may be absent: both sums are then 0),
 * named `due`; select `pointsNow(account)`'s expressions. `now` is SQL: `now()` or a parameter.
 */
export function duePointsJoin(account: string, now = 'now()'): string {
  const released = `(l.pending AND l.available_at <= ${now})`;
  return `LEFT JOIN LATERAL (
      SELECT COALESCE(sum(l.remaining) FILTER (WHERE ${released}), 0) AS released,
             COALESCE(sum(l.remaining) FILTER (WHERE l.expires_at <= ${now} AND (NOT l.pending OR ${released})), 0) AS expired
        FROM point_lots l
       WHERE l.tenant_id = ${account}.tenant_id AND l.account_id = ${account}.id AND l.remaining > 0
         AND (${released} OR l.expires_at <= ${now})) due ON true`;
}

/** The spendable and held points at `now` of the account joined by `duePointsJoin`. */
export function pointsNow(account: string): { balance: string; pending: string } {
  return {
    balance: `(${account}.balance + due.released - due.expired)`,
    pending: `(${account}.pending_balance - due.released)`,
  };
}
