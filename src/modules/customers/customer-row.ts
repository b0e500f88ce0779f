import { EntityManager } from 'typeorm';
import { cursorTimestamp } from '../../common/pagination/pagination';
import { duePointsJoin, pointsNow } from '../loyalty/ledger/ledger';
import type { AuditableCustomer } from './customer-fields';
import type { CustomerDto, CustomerStatus } from './dto/customer.dto';
import type { ProfileDto } from './dto/profile.dto';

/** A customers row joined with its default-program account, as the queries below return it. */
export interface CustomerRow {
  id: string;
  external_id: string | null;
  email: string | null;
  first_name: string;
  last_name: string;
  phone: string | null;
  birthday: string | null;
  preferences: Record<string, unknown>;
  segments: string[];
  marketing_opt_in: boolean;
  leaderboard_opt_out: boolean;
  status: CustomerStatus;
  erased_at: Date | null;
  created_at: Date;
  updated_at: Date;
  balance: string;
  pending_balance: string;
  lifetime_points: string;
  tier_id: string | null;
  tier_name: string | null;
  /** created_at to the microsecond, for cursors. */
  position: string;
}

/** The customers columns alone (alias `c`); birthday as text, since pg would turn a date into a local midnight. */
export const CUSTOMER_COLUMNS = `c.id, c.external_id, c.email, c.first_name, c.last_name, c.phone,
  to_char(c.birthday, 'YYYY-MM-DD') AS birthday, c.preferences, c.segments, c.marketing_opt_in,
  c.leaderboard_opt_out, c.status, c.erased_at, c.created_at, c.updated_at`;

const accountPoints = pointsNow('a');

/**
 * SELECT … FROM customers c with the default program's account (`a`), its points as they stand
 * now (see duePointsJoin), and tier (`tr`). `$1` must be the default program id (null when the
 * tenant has none: every account column is then empty).
 */

export const CUSTOMER_SELECT = `
  SELECT ${CUSTOMER_COLUMNS},
         COALESCE(${accountPoints.balance}, 0) AS balance, COALESCE(${accountPoints.pending}, 0) AS pending_balance,
         COALESCE(a.lifetime_points, 0) AS lifetime_points, a.tier_id, tr.name AS tier_name,
         ${cursorTimestamp('c.created_at')} AS position
    FROM customers c
    LEFT JOIN loyalty_accounts a
      ON a.tenant_id = c.tenant_id AND a.customer_id = c.id AND a.program_id = $1::uuid
    ${duePointsJoin('a')}
    LEFT JOIN tiers tr ON tr.tenant_id = a.tenant_id AND tr.id = a.tier_id`;

export function toCustomerDto(row: CustomerRow): CustomerDto {
  return {
    id: row.id,
    external_id: row.external_id,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    phone: row.phone,
    birthday: row.birthday,
    segments: row.segments,
    preferences: row.preferences,
    marketing_opt_in: row.marketing_opt_in,
    leaderboard_opt_out: row.leaderboard_opt_out,
    status: row.status,
    erased_at: row.erased_at ? row.erased_at.toISOString() : null,
    balance: Number(row.balance),
    pending_balance: Number(row.pending_balance),
    lifetime_points: Number(row.lifetime_points),
    tier: row.tier_id ? { id: row.tier_id, name: row.tier_name ?? '' } : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function toProfileDto(row: CustomerRow): ProfileDto {
  return {
    id: row.id,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    phone: row.phone,
    birthday: row.birthday,
    preferences: row.preferences,
    marketing_opt_in: row.marketing_opt_in,
    leaderboard_opt_out: row.leaderboard_opt_out,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function auditableOf(row: CustomerRow): AuditableCustomer {
  return {
    email: row.email,
    external_id: row.external_id,
    first_name: row.first_name,
    last_name: row.last_name,
    phone: row.phone,
    birthday: row.birthday,
    preferences: row.preferences,
    segments: row.segments,
    marketing_opt_in: row.marketing_opt_in,
    leaderboard_opt_out: row.leaderboard_opt_out,
    status: row.status,
  };
}

/** The tenant's default program (the oldest, should there ever be two), or null. */
export async function defaultProgramId(manager: EntityManager, tenantId: string): Promise<string | null> {
  const [program] = (await manager.query(
    `SELECT id FROM programs WHERE tenant_id = $1 AND is_default ORDER BY created_at, id LIMIT 1`,
    [tenantId],
  )) as Array<{ id: string }>;
  return program?.id ?? null;
}

/** One customer with its default-program standing; `lock` takes the row for update. */
export async function selectCustomer(
  manager: EntityManager,
  tenantId: string,
  customerId: string,
  lock = false,
): Promise<CustomerRow | undefined> {
  const programId = await defaultProgramId(manager, tenantId);
  const [row] = (await manager.query(
    `${CUSTOMER_SELECT} WHERE c.tenant_id = $2 AND c.id = $3 ${lock ? 'FOR UPDATE OF c' : ''}`,
    [programId, tenantId, customerId],
  )) as CustomerRow[];
  return row;
}
