import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { BusinessRuleError, FieldError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { decodeCursor, Page, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { defaultProgramId } from '../customers/customer-row';
import { duePointsJoin, pointsNow } from '../loyalty/ledger/ledger';
import { CatalogQueryDto, CatalogRewardDto } from './dto/catalog.dto';
import { CreateRewardDto, RewardDto, RewardListQueryDto, UpdateRewardDto } from './dto/reward.dto';
import { CustomerStanding, eligibility } from './eligibility';
import { unknownLocations } from './location-check';
import { customerOf, REWARD_COLUMNS, REWARD_FROM, RewardRow, termsOf, toRewardDto } from './reward-row';

/** What an admin sets on a reward, as stored (dates parsed, absent lists empty). */
interface RewardValues {
  name: string;
  description: string;
  category: string | null;
  image_url: string | null;
  point_cost: number;
  quantity_available: number | null;
  start_date: Date | null;
  end_date: Date | null;
  min_tier_id: string | null;
  per_customer_limit: number | null;
  location_ids: string[];
  voucher_valid_days: number | null;
  active: boolean;
}

const STORED = [
  'name',
  'description',
  'category',
  'image_url',
  'point_cost',
  'quantity_available',
  'start_date',
  'end_date',
  'min_tier_id',
  'per_customer_limit',
  'location_ids',
  'voucher_valid_days',
  'active',
] as const satisfies ReadonlyArray<keyof RewardValues>;

const parseDate = (value: string | null | undefined): Date | null => (value ? new Date(value) : null);

function valuesOf(row: RewardRow): RewardValues {
  return Object.fromEntries(STORED.map((key) => [key, row[key]])) as unknown as RewardValues;
}

/** The stored values after `patch`: a field left out keeps its value; null clears a nullable one. */
function patched(current: RewardValues, patch: UpdateRewardDto | CreateRewardDto): RewardValues {
  const next: RewardValues = { ...current };
  const given = <K extends keyof RewardValues>(key: K, value: RewardValues[K] | undefined) => {
    if (value !== undefined) next[key] = value;
  };
  given('name', patch.name);
  given('description', patch.description);
  given('category', patch.category);
  given('image_url', patch.image_url);
  given('point_cost', patch.point_cost);
  given('quantity_available', patch.quantity_available);
  if (patch.start_date !== undefined) next.start_date = parseDate(patch.start_date);
  if (patch.end_date !== undefined) next.end_date = parseDate(patch.end_date);
  if (patch.min_tier_id !== undefined) next.min_tier_id = patch.min_tier_id?.toLowerCase() ?? null;
  given('per_customer_limit', patch.per_customer_limit);
  if (patch.location_ids !== undefined) next.location_ids = (patch.location_ids ?? []).map((id) => id.toLowerCase());
  given('voucher_valid_days', patch.voucher_valid_days);
  given('active', patch.active);
  return next;
}

const NEW_REWARD: RewardValues = {
  name: '',
  description: '',
  category: null,
  image_url: null,
  point_cost: 1,
  quantity_available: null,
  start_date: null,
  end_date: null,
  min_tier_id: null,
  per_customer_limit: null,
  location_ids: [],
  voucher_valid_days: null,
  active: true,
};

/** The catalog's ordering key, cheapest first. */
const catalogPosition = (row: RewardRow): Array<string | number> => [row.point_cost, row.id];

/** The rewards catalog: administration (audited) and the customer app's view with eligibility. */
@Injectable()
export class RewardsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string, query: RewardListQueryDto): Promise<Page<RewardDto>> {
    const position = decodeCursor(query.cursor, 2);
    const parameters: unknown[] = [tenantId, query.limit + 1];
    const conditions = ['r.tenant_id = $1', 'r.deleted_at IS NULL'];
    const where = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (query.active) where('r.active = ?::boolean', query.active === 'true');
    if (query.category) where('r.category = ?', query.category);
    if (position) {
      parameters.push(position[0], position[1]);
      conditions.push(`(r.created_at, r.id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
    }
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${REWARD_COLUMNS} ${REWARD_FROM} WHERE ${conditions.join(' AND ')}
          ORDER BY r.created_at DESC, r.id DESC LIMIT $2`,
        parameters,
      ),
    )) as RewardRow[];
    return pageOf(rows, query.limit, toRewardDto, (row) => [row.position, row.id]);
  }

  async get(tenantId: string, rewardId: string): Promise<RewardDto> {
    return toRewardDto(await this.database.run(tenantId, (manager) => this.find(manager, tenantId, rewardId)));
  }

  create(caller: Caller, request: IdempotentRequest, input: CreateRewardDto): Promise<IdempotentOutcome<RewardDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const values = patched(NEW_REWARD, input);
    checkDates(values);
    return this.idempotency.execute(request, 201, async (manager) => {
      const programId = await defaultProgramId(manager, tenantId);
      if (!programId) {
        throw new BusinessRuleError('no_default_program', 'The tenant has no default program: create a program first.');
      }
      await this.checkReferences(manager, tenantId, programId, values, NEW_REWARD);
      const [{ id }] = (await manager.query(
        `INSERT INTO rewards (tenant_id, program_id, ${STORED.join(', ')})
         VALUES ($1, $2, ${STORED.map((_, index) => `$${index + 3}`).join(', ')}) RETURNING id`,
        [tenantId, programId, ...STORED.map((key) => values[key])],
      )) as Array<{ id: string }>;
      const created = toRewardDto(await this.find(manager, tenantId, id));
      await this.audit.record(manager, tenantId, caller, {
        action: 'reward.created',
        targetType: 'reward',
        targetId: id,
        after: created,
      });
      return created;
    });
  }

  async update(caller: Caller, rewardId: string, input: UpdateRewardDto): Promise<RewardDto> {
    const tenantId = tenantIdOf(caller.actor);
    return this.database.run(tenantId, async (manager) => {
      // NO KEY UPDATE: redemptions' foreign-key checks on this row are not held up by the edit.
      const existing = await this.find(manager, tenantId, rewardId, 'FOR NO KEY UPDATE OF r');
      const current = valuesOf(existing);
      const values = patched(current, input);
      checkDates(values);
      await this.checkReferences(manager, tenantId, existing.program_id, values, current);
      await manager.query(
        `UPDATE rewards SET ${STORED.map((key, index) => `${key} = $${index + 3}`).join(', ')}, updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, existing.id, ...STORED.map((key) => values[key])],
      );
      const updated = toRewardDto(await this.find(manager, tenantId, existing.id));
      await this.audit.record(manager, tenantId, caller, {
        action: 'reward.updated',
        targetType: 'reward',
        targetId: existing.id,
        before: toRewardDto(existing),
        after: updated,
      });
      return updated;
    });
  }

  /**
   * Takes a reward out of the catalog for good. Its redemptions keep it (the row stays, marked
   * deleted): pending vouchers can still be fulfilled or cancelled.
   */
  async remove(caller: Caller, rewardId: string): Promise<void> {
    const tenantId = tenantIdOf(caller.actor);
    await this.database.run(tenantId, async (manager) => {
      const existing = await this.find(manager, tenantId, rewardId, 'FOR NO KEY UPDATE OF r');
      await manager.query(
        `UPDATE rewards SET deleted_at = now(), active = false, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, existing.id],
      );
      await this.audit.record(manager, tenantId, caller, {
        action: 'reward.deleted',
        targetType: 'reward',
        targetId: existing.id,
        before: toRewardDto(existing),
      });
    });
  }

  /** The customer's catalog: active rewards that have not ended, each with whether they may redeem it. */
  async catalog(actor: Actor, query: CatalogQueryDto): Promise<Page<CatalogRewardDto>> {
    const { tenantId, customerId } = customerOf(actor);
    const position = decodeCursor(query.cursor, 2);
    const parameters: unknown[] = [tenantId, customerId, query.limit + 1];
    const conditions = [
      'r.tenant_id = $1',
      'r.deleted_at IS NULL',
      'r.active',
      '(r.end_date IS NULL OR r.end_date > now())',
    ];
    if (query.category) {
      parameters.push(query.category);
      conditions.push(`r.category = $${parameters.length}`);
    }
    if (position) {
      parameters.push(position[0], position[1]);
      conditions.push(`(r.point_cost, r.id) > ($${parameters.length - 1}::int, $${parameters.length}::uuid)`);
    }
    return this.database.run(tenantId, async (manager) => {
      const rows = (await manager.query(
        `SELECT ${REWARD_COLUMNS}, ${REDEEMED_BY_CUSTOMER} ${REWARD_FROM}
          WHERE ${conditions.join(' AND ')} ORDER BY r.point_cost, r.id LIMIT $3`,
        parameters,
      )) as CatalogRow[];
      const standing = await this.standingOf(manager, tenantId, customerId);
      const now = new Date();
      return pageOf(
        rows,
        query.limit,
        (row) => toCatalogDto(row, standing(row, query.location_id ?? null), now),
        catalogPosition,
      );
    });
  }

  /** One reward as the customer sees it, whatever its state (inactive and ended ones say so). */
  async catalogEntry(actor: Actor, rewardId: string, locationId: string | null): Promise<CatalogRewardDto> {
    const { tenantId, customerId } = customerOf(actor);
    if (!isUuid(rewardId)) throw new NotFoundError('Reward', rewardId);
    return this.database.run(tenantId, async (manager) => {
      const [row] = (await manager.query(
        `SELECT ${REWARD_COLUMNS}, ${REDEEMED_BY_CUSTOMER} ${REWARD_FROM}
          WHERE r.tenant_id = $1 AND r.id = $3 AND r.deleted_at IS NULL`,
        [tenantId, customerId, rewardId],
      )) as CatalogRow[];
      if (!row) throw new NotFoundError('Reward', rewardId);
      const standing = await this.standingOf(manager, tenantId, customerId);
      return toCatalogDto(row, standing(row, locationId), new Date());
    });
  }

  /** The customer's balance and tier rank in each program, as a lookup for a reward of that program. */
  private async standingOf(manager: EntityManager, tenantId: string, customerId: string) {
    const accounts = (await manager.query(
      `SELECT a.program_id, ${pointsNow('a').balance} AS balance, t.rank AS tier_rank
         FROM loyalty_accounts a ${duePointsJoin('a')}
         LEFT JOIN tiers t ON t.tenant_id = a.tenant_id AND t.id = a.tier_id
        WHERE a.tenant_id = $1 AND a.customer_id = $2`,
      [tenantId, customerId],
    )) as Array<{ program_id: string; balance: string; tier_rank: number | null }>;
    const byProgram = new Map(accounts.map((account) => [account.program_id, account]));
    return (row: CatalogRow, locationId: string | null): CustomerStanding => {
      const account = byProgram.get(row.program_id);
      return {
        balance: Number(account?.balance ?? 0),
        tierRank: account?.tier_rank ?? null,
        redeemedCount: row.redeemed_count,
        locationId,
      };
    };
  }

  private async find(manager: EntityManager, tenantId: string, rewardId: string, lock = ''): Promise<RewardRow> {
    if (!isUuid(rewardId)) throw new NotFoundError('Reward', rewardId);
    const [row] = (await manager.query(
      `SELECT ${REWARD_COLUMNS} ${REWARD_FROM} WHERE r.tenant_id = $1 AND r.id = $2 AND r.deleted_at IS NULL ${lock}`,
      [tenantId, rewardId],
    )) as RewardRow[];
    if (!row) throw new NotFoundError('Reward', rewardId);
    return row;
  }

  /**
   * The minimum tier must be a tier of the reward's program, and each location one of the
   * tenant's. Only what changed is checked, so a tier or location removed since does not block an
   * unrelated edit.
   */
  private async checkReferences(
    manager: EntityManager,
    tenantId: string,
    programId: string,
    values: RewardValues,
    current: RewardValues,
  ): Promise<void> {
    const errors: FieldError[] = [];
    if (values.min_tier_id !== null && values.min_tier_id !== current.min_tier_id) {
      const [tier] = (await manager.query(`SELECT 1 FROM tiers WHERE tenant_id = $1 AND program_id = $2 AND id = $3`, [
        tenantId,
        programId,
        values.min_tier_id,
      ])) as unknown[];
      if (!tier) errors.push({ field: 'min_tier_id', message: 'is not a tier of the default program' });
    }
    const added = values.location_ids.filter((id) => !current.location_ids.includes(id));
    for (const id of await unknownLocations(manager, tenantId, added)) {
      errors.push({
        field: `location_ids[${values.location_ids.indexOf(id)}]`,
        message: 'is not a location of this tenant',
      });
    }
    if (errors.length > 0) throw new ValidationFailedError(errors, 'The reward has invalid fields.');
  }
}

type CatalogRow = RewardRow & { redeemed_count: number };

/** Only rewards with a per-customer limit need the count. */
const REDEEMED_BY_CUSTOMER = `CASE WHEN r.per_customer_limit IS NULL THEN 0 ELSE (
    SELECT count(*)::int FROM redemptions d
     WHERE d.tenant_id = r.tenant_id AND d.reward_id = r.id AND d.customer_id = $2 AND d.status IN ('pending', 'fulfilled')
  ) END AS redeemed_count`;

function toCatalogDto(row: CatalogRow, standing: CustomerStanding, now: Date): CatalogRewardDto {
  const {
    program_id: _program,
    active: _active,
    created_at: _created,
    updated_at: _updated,
    ...shown
  } = toRewardDto(row);
  return { ...shown, ...eligibility(termsOf(row), standing, now) };
}

function checkDates(values: RewardValues): void {
  if (values.start_date && values.end_date && values.end_date <= values.start_date) {
    throw new ValidationFailedError([{ field: 'end_date', message: 'must be after start_date' }]);
  }
}
