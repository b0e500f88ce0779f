import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotFoundError, QuotaExceededError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { TenantDatabase } from '../../database/tenant-database.service';
import { ExpiringCache } from './expiring-cache';
import { CountedQuota, exceedsQuota, PlanCatalog, PlanQuotas, quotasOf } from './plans';

/** The plans a QuotaService enforces (PLANS, except in tests that need a small quota). */
export const PLAN_CATALOG = Symbol('PLAN_CATALOG');

/** What a tenant uses of its quotas. */
export interface TenantUsage {
  customers: number;
  /** Staff, admins and owners. */
  staff: number;
  locations: number;
}

/** A plan change reaches the rate limiter of every API replica within this time. */
const PLAN_CACHE_TTL_MS = 30_000;

/** Plan quotas: counted when something is added, looked up (cached) for rate limits. */
@Injectable()
export class QuotaService {
  private readonly plans = new ExpiringCache<string, string | null>(PLAN_CACHE_TTL_MS);

  constructor(
    private readonly database: TenantDatabase,
    @Inject(PLAN_CATALOG) private readonly catalog: PlanCatalog,
  ) {}

  /**
   * Refuses with 422 `quota_exceeded` when adding `adding` more of `quota` would go past the
   * tenant's plan. Call it inside the transaction that inserts, right before the insert: the
   * advisory lock it takes is held until that transaction ends, so concurrent adds in the same
   * tenant count one after another and can never together overshoot the limit.
   */
  async assertCanAdd(manager: EntityManager, tenantId: string, quota: CountedQuota, adding = 1): Promise<void> {
    const [tenant] = (await manager.query(`SELECT plan FROM tenants WHERE id = $1`, [tenantId])) as Array<{
      plan: string;
    }>;
    if (!tenant) throw new NotFoundError('Tenant', tenantId);
    const limit = this.quotasOfPlan(tenant.plan)[quota];
    if (limit === null) return;
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [tenantId, `quota:${quota}`]);
    // Under READ COMMITTED this statement's snapshot is taken after the lock was granted, so it
    // sees the rows of every transaction that held the lock before.
    const used = (await this.usage(manager, tenantId))[quota];
    if (exceedsQuota(limit, used, adding)) throw new QuotaExceededError(quota, limit);
  }

  /** Current usage, counted through the caller's tenant transaction. */
  async usage(manager: EntityManager, tenantId: string): Promise<TenantUsage> {
    // Removed staff no longer count; disabled ones do, since they can be enabled again. Customers
    // are the active rows of `customers` (app users and those pushed by API alike); erased ones
    // no longer count.
    const [counts] = (await manager.query(
      `SELECT (SELECT count(*) FROM customers WHERE tenant_id = $1 AND status = 'active')::int AS customers,
              (SELECT count(*) FROM users
                WHERE tenant_id = $1 AND role <> 'customer' AND status <> 'deleted')::int AS staff,
              (SELECT count(*) FROM locations WHERE tenant_id = $1 AND deleted_at IS NULL)::int AS locations`,
      [tenantId],
    )) as Array<{ customers: number; staff: number; locations: number }>;
    // Deleted locations no longer count (they are kept only for their check-ins' history).
    return { customers: counts.customers, staff: counts.staff, locations: counts.locations };
  }

  quotasOfPlan(plan: string): PlanQuotas {
    return quotasOf(plan, this.catalog);
  }

  /** The tenant's plan (null for no such tenant), cached for 30 s in this process. */
  async planOf(tenantId: string): Promise<string | null> {
    if (!isUuid(tenantId)) return null;
    const cached = this.plans.get(tenantId);
    if (cached !== undefined) return cached;
    const [row] = (await this.database.runAsPlatform((manager) =>
      manager.query(`SELECT plan FROM tenants WHERE id = $1`, [tenantId]),
    )) as Array<{ plan: string }>;
    const plan = row?.plan ?? null;
    this.plans.set(tenantId, plan);
    return plan;
  }

  /** The tenant's quotas, e.g. `api_requests_per_minute` for a rate limiter; null for no such tenant. */
  async tenantQuotas(tenantId: string): Promise<PlanQuotas | null> {
    const plan = await this.planOf(tenantId);
    return plan === null ? null : this.quotasOfPlan(plan);
  }

  /** Drops this process's cached plan after a change (other replicas catch up within 30 s). */
  forgetPlan(tenantId: string): void {
    this.plans.delete(tenantId);
  }
}
