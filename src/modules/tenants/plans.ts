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

export function quotasOf(plan: string): PlanQuotas {
  return PLANS[plan as PlanName] ?? PLANS.starter;
}
