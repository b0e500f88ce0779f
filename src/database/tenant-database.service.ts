import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { runInTenant, runWithoutTenant, TenantTransactionOptions, UnitOfWork } from './tenant-transaction';

/** Every module reaches tenant data through this service, never through a bare query. */
@Injectable()
export class TenantDatabase {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  run<T>(tenantId: string, work: UnitOfWork<T>, options?: TenantTransactionOptions): Promise<T> {
    return runInTenant(this.dataSource, tenantId, work, options);
  }

  runAsPlatform<T>(work: UnitOfWork<T>): Promise<T> {
    return runWithoutTenant(this.dataSource, work);
  }

  /**
   * One statement in its own implicit transaction, with no tenant set: for platform reads and
   * functions that scope themselves (e.g. `app_check_standing`) on hot paths, where BEGIN and
   * COMMIT would triple the round trips.
   */
  queryOnce<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, parameters) as Promise<T[]>;
  }
}
