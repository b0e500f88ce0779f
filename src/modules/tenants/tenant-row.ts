import { QueryFailedError } from 'typeorm';
import { PlanQuotas } from './plans';
import { resolveSettings } from './tenant-settings';
import { TenantDto, TenantSummaryDto } from './dto/tenant.dto';

/** The columns every tenant query selects, in the shape TenantRow describes. */
export const TENANT_COLUMNS = `id, slug, name, status, plan, settings, created_at, updated_at`;

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: string;
  plan: string;
  settings: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export function toTenantSummary(row: TenantRow): TenantSummaryDto {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    plan: row.plan,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function toTenantDto(row: TenantRow, quotas: PlanQuotas): TenantDto {
  return { ...toTenantSummary(row), quotas: { ...quotas }, settings: resolveSettings(row.settings) };
}

/** A unique constraint of `table` refused the statement (PostgreSQL 23505). */
export function isUniqueViolation(error: unknown, table: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const cause = error.driverError as { code?: string; table?: string };
  return cause.code === '23505' && cause.table === table;
}
