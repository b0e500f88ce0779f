import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { DeferredStanding, standingCheckCall, standingRefusal } from '../common/auth/standing';
import { isUuid } from '../common/ids';

export type UnitOfWork<T> = (manager: EntityManager) => Promise<T>;

/** Transactions run at PostgreSQL's default isolation, READ COMMITTED (naming it would cost a round trip). */
export interface TenantTransactionOptions {
  /**
   * A transaction-scoped advisory lock (two 32-bit keys) taken as the transaction opens, before
   * `work` reads anything: work on the same key runs one after another.
   */
  advisoryLock?: readonly [number, number];
  /** Turns JIT compilation off for the transaction (it costs more than millisecond queries ever take). */
  noJit?: boolean;
  /**
   * Plans the transaction's prepared statements (`queryPrepared`) once per connection, whatever
   * their parameters (`plan_cache_mode = force_generic_plan`): for statements whose planning
   * costs more than running them and whose best plan does not depend on the values. PostgreSQL's
   * own choice keeps re-planning a statement whose generic plan looks costlier than the custom
   * ones, as one with optional branches (`$n IS NULL AND ...`) always does.
   */
  genericPlans?: boolean;
  /**
   * A caller's token standing to check in the opening statement (`app_check_standing`): a
   * refused token aborts the transaction before `work` runs, and surfaces as its 401/403.
   * Marked `checked` once the transaction is open.
   */
  standing?: DeferredStanding;
}

/** A 32-bit advisory lock key for a name (for TenantTransactionOptions.advisoryLock). */
export const advisoryKey = (name: string): number => createHash('sha256').update(name).digest().readInt32BE(0);

/**
 * Runs `work` in one transaction with `app.tenant_id` set for that transaction only
 * (`set_config(..., true)`), so row-level security scopes every statement to the tenant and
 * nothing leaks to the next user of the pooled connection.
 *
 * The transaction opens in one round trip: START TRANSACTION, the tenant and the options travel
 * as one simple-protocol message (TypeORM's own START TRANSACTION is rewritten on this query
 * runner), since a round trip per request is a measurable share of the hot paths. The values are
 * inlined: the tenant is checked to be a uuid, the lock keys to be 32-bit integers and the
 * standing's values (see standingCheckCall) first.
 */
export async function runInTenant<T>(
  dataSource: DataSource,
  tenantId: string,
  work: UnitOfWork<T>,
  options: TenantTransactionOptions = {},
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error(`runInTenant needs a tenant uuid, got "${tenantId}"`);
  const settings = [`set_config('app.tenant_id', '${tenantId}', true)`];
  // The standing first: a refused token does not wait for the advisory lock.
  const { standing } = options;
  if (standing) {
    if (standing.tenantId !== tenantId) throw new Error('a deferred standing check runs in its own tenant only');
    settings.push(standingCheckCall(standing));
  }
  if (options.noJit) settings.push(`set_config('jit', 'off', true)`);
  if (options.genericPlans) settings.push(`set_config('plan_cache_mode', 'force_generic_plan', true)`);
  if (options.advisoryLock) {
    const [first, second] = options.advisoryLock;
    if (![first, second].every((key) => Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31))
      throw new Error('advisory lock keys must be 32-bit integers');
    settings.push(`pg_advisory_xact_lock(${first}, ${second})`);
  }
  const opening = `START TRANSACTION; SELECT ${settings.join(', ')}`;

  const runner = dataSource.createQueryRunner();
  const deferred: DeferredInsert[] = [];
  deferredOf.set(runner, deferred);
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) => {
    if (sql === 'START TRANSACTION') {
      if (!standing) return query(opening);
      // The opening succeeded, so the standing check in it passed.
      return query(opening).then((opened) => {
        standing.checked = true;
        return opened;
      });
    }
    if (sql === 'COMMIT' || sql.startsWith('SAVEPOINT ')) {
      // Statements deferred to the commit travel with it, in the same message. A savepoint
      // (none is used today) ends deferral: a rollback to it must be able to undo what follows.
      if (sql !== 'COMMIT') deferredOf.delete(runner);
      const pending = deferred.splice(0).map(({ head, rows }) => `${head} ${rows.join(', ')};\n`);
      if (pending.length > 0) return query(`${pending.join('')}${sql}`);
    }
    if (sql === 'ROLLBACK') deferred.length = 0;
    return query(sql, ...rest);
  }) as typeof runner.query;
  try {
    return await runner.manager.transaction(work);
  } catch (error) {
    throw (standing && standingRefusal(error)) || error;
  } finally {
    await runner.release();
  }
}

/** Rows for one INSERT statement: `head` ends in VALUES; each row is a parenthesized list. */
interface DeferredInsert {
  head: string;
  rows: string[];
}

const deferredOf = new WeakMap<QueryRunner, DeferredInsert[]>();

/**
 * Defers an INSERT (`head`, ending in VALUES, then `rows`, each a parenthesized list of values
 * inlined as escaped literals: it travels in a simple-protocol message) to the commit of the
 * tenant transaction of `manager`, sent in the same message as COMMIT: one round trip fewer for
 * writes nothing in the transaction reads back (the outbox). Rows deferred with the same head
 * join one statement, in the order they were deferred. If it fails, the transaction rolls back.
 * Returns false when the manager's transaction cannot defer (not one opened by runInTenant, or
 * past a savepoint): the caller then runs it now.
 */
export function deferInsertUntilCommit(manager: EntityManager, head: string, rows: string[]): boolean {
  const runner = manager.queryRunner;
  const deferred = runner?.isTransactionActive ? deferredOf.get(runner) : undefined;
  if (!deferred) return false;
  const same = deferred.find((insert) => insert.head === head);
  if (same) same.rows.push(...rows);
  else deferred.push({ head, rows: [...rows] });
  return true;
}

/**
 * Runs `work` in one transaction with no tenant: tenant-owned tables show no rows. For the
 * platform registry (tenants) and the explicit super-admin paths only.
 */
export async function runWithoutTenant<T>(dataSource: DataSource, work: UnitOfWork<T>): Promise<T> {
  return dataSource.transaction(work);
}
