import { Injectable, Logger } from '@nestjs/common';
import { appendToOutbox } from '../../common/outbox/outbox';
import { TenantDatabase } from '../../database/tenant-database.service';

/** Vouchers expired per transaction. */
export const REDEMPTIONS_PER_BATCH = 500;

export interface RedemptionExpirySummary {
  tenants: number;
  expired: number;
  /** Tenants skipped after an error; the next run retries them. */
  failed: number;
}

interface ExpiredRow {
  id: string;
  reward_id: string;
  customer_id: string;
  points_used: number;
  expires_at: Date;
}

/**
 * Expires the vouchers that were not fulfilled within their reward's `voucher_valid_days`, tenant by
 * tenant (row-level security hides the others) in batches of short transactions. The unit goes
 * back into stock; the points do not come back (the customer had the voucher and let it lapse).
 * Vouchers being fulfilled or cancelled at that moment are locked and skipped: whichever change
 * commits decides, and a voucher still pending is picked up by the next run.
 */
@Injectable()
export class RedemptionExpiryService {
  private readonly logger = new Logger(RedemptionExpiryService.name);

  constructor(private readonly database: TenantDatabase) {}

  async expireRedemptions(now = new Date(), batchSize = REDEMPTIONS_PER_BATCH): Promise<RedemptionExpirySummary> {
    const summary: RedemptionExpirySummary = { tenants: 0, expired: 0, failed: 0 };
    const tenants = await this.database.runAsPlatform(
      (manager) => manager.query(`SELECT id FROM tenants ORDER BY id`) as Promise<Array<{ id: string }>>,
    );
    for (const { id: tenantId } of tenants) {
      summary.tenants += 1;
      try {
        summary.expired += await this.expireRedemptionsOfTenant(tenantId, now, batchSize);
      } catch (error) {
        summary.failed += 1;
        this.logger.warn(
          `voucher expiry skipped tenant ${tenantId}: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
    return summary;
  }

  async expireRedemptionsOfTenant(
    tenantId: string,
    now = new Date(),
    batchSize = REDEMPTIONS_PER_BATCH,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const expired = await this.database.run(tenantId, async (manager) => {
        // redemptions_expiry_idx (tenant_id, expires_at) WHERE status = 'pending'.
        const rows = (await manager.query(
          `UPDATE redemptions d SET status = 'expired', expired_at = $2
             FROM (SELECT id FROM redemptions
                    WHERE tenant_id = $1 AND status = 'pending' AND expires_at <= $2
                    ORDER BY expires_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) due
            WHERE d.tenant_id = $1 AND d.id = due.id
            RETURNING d.id, d.reward_id, d.customer_id, d.points_used, d.expires_at`,
          [tenantId, now, batchSize],
        )) as [ExpiredRow[], number];
        const batch = rows[0];
        if (batch.length === 0) return batch;
        // Rewards locked in id order, so two runs (or a run and a cancellation) never wait on each other in a cycle.
        const rewardIds = batch.map((row) => row.reward_id);
        await manager.query(
          `SELECT id FROM rewards WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
          [tenantId, rewardIds],
        );
        await manager.query(
          `UPDATE rewards r SET quantity_available = r.quantity_available + back.units
             FROM (SELECT reward_id, count(*)::int AS units FROM unnest($2::uuid[]) AS reward_id GROUP BY reward_id) back
            WHERE r.tenant_id = $1 AND r.id = back.reward_id AND r.quantity_available IS NOT NULL`,
          [tenantId, rewardIds],
        );
        await appendToOutbox(
          manager,
          tenantId,
          batch.map((row) => ({
            type: 'redemption.expired',
            aggregateType: 'customer',
            aggregateId: row.customer_id,
            payload: {
              redemption_id: row.id,
              reward_id: row.reward_id,
              customer_id: row.customer_id,
              status: 'expired',
              points_used: row.points_used,
              expires_at: row.expires_at.toISOString(),
            },
          })),
        );
        return batch;
      });
      total += expired.length;
      if (expired.length < batchSize) return total;
    }
  }
}
