import { DataSource, EntityManager } from 'typeorm';
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
}

/**
 * Runs `work` in one transaction with `app.tenant_id` set for that transaction only
 * (`set_config(..., true)`), so row-level security scopes every statement to the tenant and
 * nothing leaks to the next user of the pooled connection.
 *
 * The transaction opens in one round trip: START TRANSACTION, the tenant and the options travel
 * as one simple-protocol message (TypeORM's own START TRANSACTION is rewritten on this query
 * runner), since a round trip per request is a measurable share of the hot paths. The values are
 * inlined: the tenant is checked to be a uuid and the lock keys to be 32-bit integers first.
 */
export async function runInTenant<T>(
  dataSource: DataSource,
  tenantId: string,
  work: UnitOfWork<T>,
  options: TenantTransactionOptions = {},
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error(`runInTenant needs a tenant uuid, got "${tenantId}"`);
  const settings = [`set_config('app.tenant_id', '${tenantId}', true)`];
  if (options.noJit) settings.push(`set_config('jit', 'off', true)`);
  if (options.advisoryLock) {
    const [first, second] = options.advisoryLock;
    if (![first, second].every((key) => Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31))
      throw new Error('advisory lock keys must be 32-bit integers');
    settings.push(`pg_advisory_xact_lock(${first}, ${second})`);
  }
  const opening = `START TRANSACTION; SELECT ${settings.join(', ')}`;

  const runner = dataSource.createQueryRunner();
  const query = runner.query.bind(runner);
  runner.query = ((sql: string, ...rest: unknown[]) =>
    sql === 'START TRANSACTION'
      ? query(opening)
      : (query as (...args: unknown[]) => Promise<unknown>)(sql, ...rest)) as typeof runner.query;
  try {
    return await runner.manager.transaction(work);
  } finally {
    await runner.release();
  }
}

/**
 * Runs `work` in one transaction with no tenant: tenant-owned tables show no rows. For the
 * platform registry (tenants) and the explicit super-admin paths only.
 */
export async function runWithoutTenant<T>(dataSource: DataSource, work: UnitOfWork<T>): Promise<T> {
  return dataSource.transaction(work);
}
