import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '../../database/tenant-database.service';

@Injectable()
export class IdempotencyPurgeService {
  constructor(private readonly database: TenantDatabase) {}

  /**
   * Deletes expired idempotency keys, tenant by tenant: row-level security hides every tenant's
   * keys outside its own tenant transaction, the worker's included.
   */
  async purgeExpired(now = new Date()): Promise<number> {
    const tenants = await this.database.runAsPlatform(
      (manager) => manager.query(`SELECT id FROM tenants ORDER BY id`) as Promise<Array<{ id: string }>>,
    );
    let purged = 0;
    for (const { id } of tenants) {
      purged += await this.database.run(id, async (manager) => {
        const [, count] = (await manager.query(`DELETE FROM idempotency_keys WHERE expires_at < $1`, [now])) as [
          unknown,
          number,
        ];
        return count;
      });
    }
    return purged;
  }
}
