/**
 * Plans and their quotas. `null` means unlimited. API requests per minute feed the rate limiter;
 * customers and locations are checked when one is created.
 */
export interface PlanQuotas {
  customers: number | null;
  locations: number | null;
  api_requests_per_minute: number;
}

export const PLANS = {
  starter: { customers: 1_000, locations: 10, api_requests_per_minute: 600 },
  growth: { customers: 50_000, locations: 500, api_requests_per_minute: 3_000 },
  enterprise: { customers: null, locations: 100_000, api_requests_per_minute: 20_000 },
} as const satisfies Record<string, PlanQuotas>;

export type PlanName = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as PlanName[];

/** The plans a QuotaService enforces: PLANS in production, a smaller catalog in tests. */
export type PlanCatalog = Readonly<Record<string, PlanQuotas>>;

/** The quotas checked when something is added (the rate limit is enforced elsewhere). */
export const COUNTED_QUOTAS = ['customers', 'locations'] as const;
export type CountedQuota = (typeof COUNTED_QUOTAS)[number];

export function isPlanName(value: unknown): value is PlanName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PLANS, value);
}

/**
 * The quotas of a plan in a catalog. A plan missing from the catalog (a row written by a newer
 * release, say) gets the starter quotas: the smallest, so an unknown plan never grants more.
 */
export function quotasOf(plan: string, catalog: PlanCatalog = PLANS): PlanQuotas {
  return Object.prototype.hasOwnProperty.call(catalog, plan) ? catalog[plan] : (catalog.starter ?? PLANS.starter);
}

/** Whether adding `adding` more to `used` goes past `limit` (null: unlimited). */
export function exceedsQuota(limit: number | null, used: number, adding: number): boolean {
  return limit !== null && used + adding > limit;
}

/** How many more fit under `limit` (null: unlimited); never negative, even when already over. */
export function remainingQuota(limit: number | null, used: number): number | null {
  return limit === null ? null : Math.max(0, limit - used);
}
