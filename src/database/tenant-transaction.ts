import { DataSource, EntityManager } from 'typeorm';
import { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { isUuid } from '../common/ids';

export type UnitOfWork<T> = (manager: EntityManager) => Promise<T>;

/**
 * Runs `work` in one transaction with `app.tenant_id` set for that transaction only
 * (`set_config(..., true)`), so row-level security scopes every statement to the tenant and
 * nothing leaks to the next user of the pooled connection.
 */
export async function runInTenant<T>(
  dataSource: DataSource,
  tenantId: string,
  work: UnitOfWork<T>,
  isolation: IsolationLevel = 'READ COMMITTED',
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error(`runInTenant needs a tenant uuid, got "${tenantId}"`);
  const inTenant = async (manager: EntityManager) => {
    await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    return work(manager);
  };
  // READ COMMITTED is PostgreSQL's default: naming it would cost a SET TRANSACTION round trip.
  return isolation === 'READ COMMITTED'
    ? dataSource.transaction(inTenant)
    : dataSource.transaction(isolation, inTenant);
}

/**
 * Runs `work` in one transaction with no tenant: tenant-owned tables show no rows. For the
 * platform registry (tenants) and the explicit super-admin paths only.
 */
export async function runWithoutTenant<T>(dataSource: DataSource, work: UnitOfWork<T>): Promise<T> {
  return dataSource.transaction(work);
}
