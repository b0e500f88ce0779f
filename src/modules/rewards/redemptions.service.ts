import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, actorKey, tenantIdOf } from '../../common/auth/actor';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { appendToOutbox, DomainEvent } from '../../common/outbox/outbox';
import { cursorTimestamp, decodeCursor, Page, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { CustomerErasedError } from '../customers/customer.errors';
import {
  debit,
  expireLots,
  LockedAccount,
  LotShare,
  lockAccount,
  lockAccountById,
  releasePending,
  restoreLots,
} from '../loyalty/ledger/ledger';
import { InsufficientPointsError } from '../loyalty/ledger/ledger.errors';
import {
  CancelDto,
  FulfilDto,
  MyRedemptionDto,
  MyRedemptionsQueryDto,
  RedeemDto,
  RedeemResultDto,
  RedemptionDto,
  RedemptionListQueryDto,
} from './dto/redemption.dto';
import { availability, eligibility, fulfilmentLocationAllowed } from './eligibility';
import { unknownLocations } from './location-check';
import { RedemptionStatus } from './redemption.entity';
import { customerOf, REWARD_COLUMNS, REWARD_FROM, RewardRow, termsOf } from './reward-row';
import { FulfilmentLocationError, RedemptionRefusedError, VoucherClosedError } from './rewards.errors';
import { formatVoucherCode, generateVoucherCode, parseVoucherCode } from './voucher-code';

const DAY_MS = 86_400_000;
/** A fresh code colliding with one of the tenant's is a 1-in-2^55-per-voucher event; a few tries are plenty. */
const CODE_ATTEMPTS = 5;

interface RedemptionRow {
  id: string;
  reward_id: string;
  reward_name: string;
  reward_location_ids: string[];
  customer_id: string;
  account_id: string;
  code: string;
  status: RedemptionStatus;
  points_used: number;
  expires_at: Date | null;
  fulfilled_at: Date | null;
  fulfilled_location_id: string | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  expired_at: Date | null;
  created_at: Date;
  position: string;
}

const REDEMPTION_SELECT = `
  SELECT d.id, d.reward_id, r.name AS reward_name, r.location_ids::text[] AS reward_location_ids, d.customer_id,
         d.account_id, d.code, d.status, d.points_used, d.expires_at, d.fulfilled_at, d.fulfilled_location_id,
         d.cancelled_at, d.cancel_reason, d.expired_at, d.created_at, ${cursorTimestamp('d.created_at')} AS position
    FROM redemptions d JOIN rewards r ON r.tenant_id = d.tenant_id AND r.id = d.reward_id`;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toRedemptionDto(row: RedemptionRow): RedemptionDto {
  return {
    id: row.id,
    reward_id: row.reward_id,
    reward_name: row.reward_name,
    customer_id: row.customer_id,
    code: formatVoucherCode(row.code),
    status: row.status,
    points_used: row.points_used,
    expires_at: iso(row.expires_at),
    fulfilled_at: iso(row.fulfilled_at),
    fulfilled_location_id: row.fulfilled_location_id,
    cancelled_at: iso(row.cancelled_at),
    cancel_reason: row.cancel_reason,
    expired_at: iso(row.expired_at),
    created_at: row.created_at.toISOString(),
  };
}

function toMyRedemptionDto(row: RedemptionRow): MyRedemptionDto {
  const { customer_id: _customer, fulfilled_location_id: _location, ...mine } = toRedemptionDto(row);
  return mine;
}

/**
 * Redemptions: a customer pays points for a reward and gets a voucher; staff fulfil the voucher by
 * its code, or cancel it (points back to the lots they came from, stock back); vouchers left
 * unfulfilled past their validity expire (RedemptionExpiryService).
 *
 * Race safety. A redemption runs in one transaction that first locks the customer's account row
 * (ledger.lockAccount): one customer's redemptions are applied one after the other, so the balance
 * and the per-customer limit are counted on a stable state. Stock is shared by every customer and
 * is taken by a conditional `UPDATE … WHERE quantity_available > 0` as the transaction's last
 * statement, so the reward row is locked only for the commit and can never go below zero.
 */
@Injectable()
export class RedemptionsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  redeem(request: IdempotentRequest, rewardId: string, input: RedeemDto): Promise<IdempotentOutcome<RedeemResultDto>> {
    const { tenantId, customerId } = customerOf(request.actor);
    if (!isUuid(rewardId)) throw new NotFoundError('Reward', rewardId);
    return this.idempotency.execute(request, 201, (manager) =>
      this.redeemWithin(manager, request.actor, tenantId, customerId, rewardId, input.location_id ?? null),
    );
  }

  private async redeemWithin(
    manager: EntityManager,
    actor: Actor,
    tenantId: string,
    customerId: string,
    rewardId: string,
    locationId: string | null,
  ): Promise<RedeemResultDto> {
    const now = new Date();
    const [reward] = (await manager.query(
      `SELECT ${REWARD_COLUMNS},
              (SELECT status FROM customers c WHERE c.tenant_id = r.tenant_id AND c.id = $3) AS customer_status
         ${REWARD_FROM} WHERE r.tenant_id = $1 AND r.id = $2 AND r.deleted_at IS NULL`,
      [tenantId, rewardId, customerId],
    )) as Array<RewardRow & { customer_status: string | null }>;
    if (!reward) throw new NotFoundError('Reward', rewardId);
    // A customer token without a customers row, or of a customer erased while this request was on its way.
    if (reward.customer_status === null) throw new NotFoundError('Customer');
    if (reward.customer_status === 'erased') throw new CustomerErasedError();

    const terms = termsOf(reward);
    // Refused before taking the account lock when the reward is not on offer to anyone.
    const offered = availability(terms, now);
    if (offered !== null) throw new RedemptionRefusedError(offered);
    const account = await lockAccount(manager, tenantId, customerId, reward.program_id);
    // Due housekeeping first: points that have expired are not spent, points released are.
    if (account.pendingBalance > 0) await releasePending(manager, account, now);
    await expireLots(manager, account, now);
    const standing = await this.standing(manager, account, reward);
    const verdict = eligibility(terms, { balance: account.balance, ...standing, locationId }, now);
    if (verdict.reason === 'insufficient_points') throw new InsufficientPointsError(account.balance, terms.pointCost);
    if (verdict.reason === 'limit_reached') {
      throw new RedemptionRefusedError('limit_reached', { limit: reward.per_customer_limit });
    }
    if (verdict.reason !== null) throw new RedemptionRefusedError(verdict.reason);

    const redemptionId = randomUUID();
    const paid = await debit(manager, account, {
      type: 'redeem',
      points: terms.pointCost,
      reference: redemptionId,
      reason: `Redeemed: ${reward.name}`.slice(0, 500),
      actor: actorKey(actor),
    });
    const expiresAt = reward.voucher_valid_days ? new Date(now.getTime() + reward.voucher_valid_days * DAY_MS) : null;
    const { code, createdAt } = await this.insertRedemption(manager, tenantId, {
      id: redemptionId,
      rewardId: reward.id,
      customerId,
      accountId: account.id,
      pointsUsed: terms.pointCost,
      transactionId: paid.transactionId,
      expiresAt,
      lots: paid.lots,
    });
    const result: RedeemResultDto = {
      redemption_id: redemptionId,
      reward_id: reward.id,
      code: formatVoucherCode(code),
      status: 'pending',
      points_used: terms.pointCost,
      balance: account.balance,
      expires_at: iso(expiresAt),
      created_at: createdAt.toISOString(),
    };
    await appendToOutbox(manager, tenantId, [
      {
        type: 'reward.redeemed',
        aggregateType: 'customer',
        aggregateId: customerId,
        payload: { ...result, customer_id: customerId, program_id: reward.program_id, reward_name: reward.name },
      },
    ]);
    // Last, so the reward row is locked only until the commit. With an unlimited reward (null)
    // the row is not touched at all: its redemptions never wait on each other.
    if (terms.quantityAvailable !== null) {
      const [, taken] = (await manager.query(
        `UPDATE rewards SET quantity_available = quantity_available - 1
          WHERE tenant_id = $1 AND id = $2 AND (quantity_available > 0 OR quantity_available IS NULL)`,
        [tenantId, reward.id],
      )) as [unknown[], number];
      if (taken !== 1) throw new RedemptionRefusedError('out_of_stock');
    }
    return result;
  }

  /**
   * The customer's tier rank and redemptions of this reward, read under the account lock (so the
   * count cannot change before the commit); neither is read when the reward does not ask.
   */
  private async standing(
    manager: EntityManager,
    account: LockedAccount,
    reward: RewardRow,
  ): Promise<{ tierRank: number | null; redeemedCount: number }> {
    if (reward.min_tier_id === null && reward.per_customer_limit === null) return { tierRank: null, redeemedCount: 0 };
    const [row] = (await manager.query(
      `SELECT (SELECT rank FROM tiers WHERE tenant_id = $1 AND id = $2) AS tier_rank,
              (SELECT count(*)::int FROM redemptions
                WHERE tenant_id = $1 AND reward_id = $3 AND customer_id = $4 AND status IN ('pending', 'fulfilled')
              ) AS redeemed_count`,
      [account.tenantId, account.tierId, reward.id, account.customerId],
    )) as Array<{ tier_rank: number | null; redeemed_count: number }>;
    return { tierRank: row.tier_rank, redeemedCount: row.redeemed_count };
  }

  /**
   * Inserts the redemption, and the lots its points came from, under a fresh voucher code, drawing
   * again on the (unlikely) clash.
   */
  private async insertRedemption(
    manager: EntityManager,
    tenantId: string,
    redemption: {
      id: string;
      rewardId: string;
      customerId: string;
      accountId: string;
      pointsUsed: number;
      transactionId: string;
      expiresAt: Date | null;
      lots: LotShare[];
    },
  ): Promise<{ code: string; createdAt: Date }> {
    for (let attempt = 1; attempt <= CODE_ATTEMPTS; attempt++) {
      const code = generateVoucherCode();
      const [row] = (await manager.query(
        `WITH redemption AS (
           INSERT INTO redemptions (tenant_id, id, reward_id, customer_id, account_id, code, points_used, transaction_id,
                                    expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (tenant_id, code) DO NOTHING RETURNING created_at
         ), lots AS (
           INSERT INTO redemption_lots (tenant_id, redemption_id, lot_id, points)
           SELECT $1, $2, lot.id, lot.points FROM unnest($10::uuid[], $11::bigint[]) AS lot(id, points)
            WHERE EXISTS (SELECT 1 FROM redemption)
         )
         SELECT created_at FROM redemption`,
        [
          tenantId,
          redemption.id,
          redemption.rewardId,
          redemption.customerId,
          redemption.accountId,
          code,
          redemption.pointsUsed,
          redemption.transactionId,
          redemption.expiresAt,
          redemption.lots.map((lot) => lot.lotId),
          redemption.lots.map((lot) => lot.points),
        ],
      )) as Array<{ created_at: Date }>;
      if (row) return { code, createdAt: row.created_at };
    }
    throw new Error(`no free voucher code after ${CODE_ATTEMPTS} attempts`);
  }

  /** Staff hand the reward over: the voucher must be pending and, for a restricted reward, here. */
  fulfil(
    caller: Caller,
    request: IdempotentRequest,
    typedCode: string,
    input: FulfilDto,
  ): Promise<IdempotentOutcome<RedemptionDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const code = parseVoucherCode(typedCode);
    if (code === null) {
      throw new ValidationFailedError(
        [{ field: 'code', message: 'is not a valid voucher code: check it for a typo' }],
        'The voucher code is mistyped.',
      );
    }
    const locationId = input.location_id?.toLowerCase() ?? null;
    return this.idempotency.execute(request, 200, async (manager) => {
      const [row] = (await manager.query(
        `${REDEMPTION_SELECT} WHERE d.tenant_id = $1 AND d.code = $2 FOR UPDATE OF d`,
        [tenantId, code],
      )) as RedemptionRow[];
      if (!row) throw new NotFoundError('Voucher', formatVoucherCode(code));
      const now = new Date();
      this.checkPending(row, now);
      if (locationId !== null && (await unknownLocations(manager, tenantId, [locationId])).length > 0) {
        throw new ValidationFailedError([{ field: 'location_id', message: 'is not a location of this tenant' }]);
      }
      if (!fulfilmentLocationAllowed({ locationIds: row.reward_location_ids }, locationId)) {
        throw new FulfilmentLocationError(row.reward_location_ids);
      }
      await manager.query(
        `UPDATE redemptions SET status = 'fulfilled', fulfilled_at = $3, fulfilled_by = $4, fulfilled_location_id = $5
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, row.id, now, actorKey(caller.actor), locationId],
      );
      const fulfilled = { ...row, status: 'fulfilled' as const, fulfilled_at: now, fulfilled_location_id: locationId };
      await this.recordChange(manager, tenantId, caller, row, toRedemptionDto(fulfilled), {
        type: 'redemption.fulfilled',
        payload: { location_id: locationId },
      });
      return toRedemptionDto(fulfilled);
    });
  }

  /**
   * Cancels a pending voucher: its points go back to the very lots they came from (each with its
   * original expiry; any already past it are written off at once) and its unit back into stock.
   */
  cancel(
    caller: Caller,
    request: IdempotentRequest,
    redemptionId: string,
    input: CancelDto,
  ): Promise<IdempotentOutcome<RedemptionDto>> {
    const tenantId = tenantIdOf(caller.actor);
    if (!isUuid(redemptionId)) throw new NotFoundError('Redemption', redemptionId);
    return this.idempotency.execute(request, 200, async (manager) => {
      // Redemption, then account, then reward: the order every path that takes several of these follows.
      const [row] = (await manager.query(`${REDEMPTION_SELECT} WHERE d.tenant_id = $1 AND d.id = $2 FOR UPDATE OF d`, [
        tenantId,
        redemptionId,
      ])) as RedemptionRow[];
      if (!row) throw new NotFoundError('Redemption', redemptionId);
      const now = new Date();
      this.checkPending(row, now);
      const account = await lockAccountById(manager, tenantId, row.account_id);
      if (!account) throw new Error(`redemption ${row.id} has no account`);
      const lots = (
        (await manager.query(`SELECT lot_id, points FROM redemption_lots WHERE tenant_id = $1 AND redemption_id = $2`, [
          tenantId,
          row.id,
        ])) as Array<{ lot_id: string; points: string }>
      ).map((lot): LotShare => ({ lotId: lot.lot_id, points: Number(lot.points) }));
      const actor = actorKey(caller.actor);
      await restoreLots(manager, account, lots, { reference: row.id, reason: 'Redemption cancelled', actor });
      const expired = await expireLots(manager, account, now);
      await manager.query(
        `UPDATE rewards SET quantity_available = quantity_available + 1
          WHERE tenant_id = $1 AND id = $2 AND quantity_available IS NOT NULL`,
        [tenantId, row.reward_id],
      );
      const reason = input.reason ?? null;
      await manager.query(
        `UPDATE redemptions SET status = 'cancelled', cancelled_at = $3, cancelled_by = $4, cancel_reason = $5
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, row.id, now, actor, reason],
      );
      const cancelled = toRedemptionDto({ ...row, status: 'cancelled', cancelled_at: now, cancel_reason: reason });
      await this.recordChange(manager, tenantId, caller, row, cancelled, {
        type: 'redemption.cancelled',
        payload: { points_refunded: row.points_used, points_expired: expired, balance: account.balance, reason },
      });
      return cancelled;
    });
  }

  async list(tenantId: string, query: RedemptionListQueryDto): Promise<Page<RedemptionDto>> {
    const rows = await this.page(tenantId, query, {
      reward_id: query.reward_id,
      customer_id: query.customer_id,
    });
    return pageOf(rows, query.limit, toRedemptionDto, (row) => [row.position, row.id]);
  }

  async mine(actor: Actor, query: MyRedemptionsQueryDto): Promise<Page<MyRedemptionDto>> {
    const { tenantId, customerId } = customerOf(actor);
    const rows = await this.page(tenantId, query, { customer_id: customerId });
    return pageOf(rows, query.limit, toMyRedemptionDto, (row) => [row.position, row.id]);
  }

  /** Newest first, with the filters given. */
  private page(
    tenantId: string,
    query: MyRedemptionsQueryDto,
    filters: { reward_id?: string; customer_id?: string },
  ): Promise<RedemptionRow[]> {
    const position = decodeCursor(query.cursor, 2);
    const parameters: unknown[] = [tenantId, query.limit + 1];
    const conditions = ['d.tenant_id = $1'];
    const where = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (query.status) where('d.status = ?', query.status);
    if (filters.reward_id) where('d.reward_id = ?::uuid', filters.reward_id);
    if (filters.customer_id) where('d.customer_id = ?::uuid', filters.customer_id);
    if (position) {
      parameters.push(position[0], position[1]);
      conditions.push(`(d.created_at, d.id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
    }
    return this.database.run(
      tenantId,
      (manager) =>
        manager.query(
          `${REDEMPTION_SELECT} WHERE ${conditions.join(' AND ')} ORDER BY d.created_at DESC, d.id DESC LIMIT $2`,
          parameters,
        ) as Promise<RedemptionRow[]>,
    );
  }

  /** Only a pending voucher within its validity can change; the others say what became of them. */
  private checkPending(row: RedemptionRow, now: Date): void {
    if (row.status !== 'pending') throw new VoucherClosedError(row.status);
    // Past its validity but not yet swept by the expiry job: expired all the same.
    if (row.expires_at !== null && row.expires_at <= now) throw new VoucherClosedError('expired');
  }

  private async recordChange(
    manager: EntityManager,
    tenantId: string,
    caller: Caller,
    before: RedemptionRow,
    after: RedemptionDto,
    event: Pick<DomainEvent, 'type' | 'payload'>,
  ): Promise<void> {
    await this.audit.record(manager, tenantId, caller, {
      action: event.type,
      targetType: 'redemption',
      targetId: before.id,
      before: { status: before.status },
      after,
    });
    await appendToOutbox(manager, tenantId, [
      {
        type: event.type,
        aggregateType: 'customer',
        aggregateId: before.customer_id,
        payload: {
          redemption_id: before.id,
          reward_id: before.reward_id,
          customer_id: before.customer_id,
          status: after.status,
          ...event.payload,
        },
      },
    ]);
  }
}
