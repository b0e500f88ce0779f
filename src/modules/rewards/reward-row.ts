import { cursorTimestamp } from '../../common/pagination/pagination';
import { Actor } from '../../common/auth/actor';
import { ForbiddenError } from '../../common/errors/domain-error';
import { RewardDto } from './dto/reward.dto';
import { RewardTerms } from './eligibility';

/** A rewards row (alias `r`) with the rank of its minimum tier (alias `mt`), as the queries read it. */
export interface RewardRow {
  id: string;
  program_id: string;
  name: string;
  description: string;
  category: string | null;
  image_url: string | null;
  point_cost: number;
  quantity_available: number | null;
  start_date: Date | null;
  end_date: Date | null;
  min_tier_id: string | null;
  min_tier_rank: number | null;
  per_customer_limit: number | null;
  location_ids: string[];
  voucher_valid_days: number | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  /** created_at to the microsecond, for cursors. */
  position: string;
}

/** The columns of RewardRow, for `SELECT ${REWARD_COLUMNS} ${REWARD_FROM} WHERE …` (aliases r, mt). */
export const REWARD_COLUMNS = `r.id, r.program_id, r.name, r.description, r.category, r.image_url, r.point_cost,
  r.quantity_available, r.start_date, r.end_date, r.min_tier_id, mt.rank AS min_tier_rank, r.per_customer_limit,
  r.location_ids::text[] AS location_ids, r.voucher_valid_days, r.active, r.created_at, r.updated_at,
  ${cursorTimestamp('r.created_at')} AS position`;

export const REWARD_FROM = `FROM rewards r LEFT JOIN tiers mt ON mt.tenant_id = r.tenant_id AND mt.id = r.min_tier_id`;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toRewardDto(row: RewardRow): RewardDto {
  return {
    id: row.id,
    program_id: row.program_id,
    name: row.name,
    description: row.description,
    category: row.category,
    image_url: row.image_url,
    point_cost: row.point_cost,
    quantity_available: row.quantity_available,
    start_date: iso(row.start_date),
    end_date: iso(row.end_date),
    min_tier_id: row.min_tier_id,
    per_customer_limit: row.per_customer_limit,
    location_ids: row.location_ids,
    voucher_valid_days: row.voucher_valid_days,
    active: row.active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function termsOf(row: RewardRow): RewardTerms {
  return {
    active: row.active,
    startDate: row.start_date,
    endDate: row.end_date,
    pointCost: row.point_cost,
    quantityAvailable: row.quantity_available,
    // A minimum tier that no longer exists: nobody reaches it (see RewardTerms).
    minTierRank: row.min_tier_id === null ? null : (row.min_tier_rank ?? Number.POSITIVE_INFINITY),
    perCustomerLimit: row.per_customer_limit,
    locationIds: row.location_ids,
  };
}

/** The customer a @Customer() route acts for: a customer token's user id is their customers row id. */
export function customerOf(actor: Actor): { tenantId: string; customerId: string } {
  if (actor.kind !== 'user' || actor.role !== 'customer') {
    throw new ForbiddenError('Only customers redeem rewards.', 'not_a_customer');
  }
  return { tenantId: actor.tenantId, customerId: actor.userId };
}
