/**
 * Which tier a customer's points earn them, and where the scheduled tier review moves them. Pure:
 * the caller sums the points (lifetime, and qualifying points inside each tier's window) and
 * records the change in tier_changes.
 *
 * Tiers are ordered by `rank` (0 = lowest), not by threshold: a ladder may mix bases ("Silver:
 * 1 000 lifetime points", "Gold: 800 points in the last 365 days"), and thresholds on different
 * bases cannot be compared.
 */

export type TierBasis = 'lifetime' | 'qualifying';

export interface TierDefinition {
  id: string;
  name: string;
  /** Points needed on `basis`; 0 makes the entry tier everyone holds. */
  threshold: number;
  basis: TierBasis;
  /**
   * For `qualifying`: points earned in the last `window_days` days count; null means no window,
   * i.e. every point ever, the same as `lifetime`. Ignored for `lifetime`.
   */
  window_days: number | null;
  /** Higher is better; unique within a program. */
  rank: number;
  benefits: { earn_multiplier: number };
}

export interface TierStanding {
  lifetime_points: number;
  /**
   * Qualifying points inside the tier's window: one number when every qualifying tier of the
   * program uses the same window, or one sum per window length keyed by `window_days` (see
   * `qualifyingWindows`).
   */
  qualifying_points_in_window: number | Readonly<Record<number, number>>;
}

/**
 * `never`: a tier once reached is kept. `period_end`: at the review the customer moves straight to
 * the tier their points now earn. `one_step`: at the review the customer drops at most one rank, so
 * one quiet year costs one tier, not the whole ladder.
 */
export type DowngradePolicy = 'never' | 'period_end' | 'one_step';

const byRank = (a: TierDefinition, b: TierDefinition) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The distinct window lengths the caller must sum qualifying points over. */
export function qualifyingWindows(tiers: readonly TierDefinition[]): number[] {
  const windows = new Set<number>();
  for (const tier of tiers) if (tier.basis === 'qualifying' && tier.window_days !== null) windows.add(tier.window_days);
  return [...windows].sort((a, b) => a - b);
}

/** The customer's points on the tier's basis. */
export function pointsOnBasis(tier: TierDefinition, standing: TierStanding): number {
  if (tier.basis === 'lifetime' || tier.window_days === null) return standing.lifetime_points;
  const qualifying = standing.qualifying_points_in_window;
  if (typeof qualifying === 'number') return qualifying;
  const inWindow = qualifying[tier.window_days];
  // A missing sum is a caller bug; reading it as 0 would silently demote customers.
  if (inWindow === undefined) {
    throw new RangeError(`no qualifying points given for the ${tier.window_days}-day window of tier ${tier.id}`);
  }
  return inWindow;
}

/** The highest-ranked tier whose threshold is met on its own basis, or null when none is. */
export function tierFor(tiers: readonly TierDefinition[], standing: TierStanding): TierDefinition | null {
  let best: TierDefinition | null = null;
  for (const tier of [...tiers].sort(byRank)) {
    if (pointsOnBasis(tier, standing) >= tier.threshold) best = tier;
  }
  return best;
}

/**
 * The tier right above `current` (the tier the customer holds, which a no-downgrade policy may keep
 * above what their points earn) and the points still missing on its basis; null at the top.
 */
export function nextTier(
  tiers: readonly TierDefinition[],
  current: TierDefinition | null,
  standing: TierStanding,
): { tier: TierDefinition; points_needed: number } | null {
  const next = [...tiers].sort(byRank).find((tier) => current === null || tier.rank > current.rank);
  if (!next) return null;
  return { tier: next, points_needed: Math.max(0, next.threshold - pointsOnBasis(next, standing)) };
}

/**
 * Where the scheduled review moves a customer who holds `current` and whose points now earn
 * `computed` (from `tierFor`). Upgrades are never held back; downgrades follow the policy.
 * `tiers` is the program's ladder, which `one_step` needs to find the rank below.
 */
export function downgradeTarget(
  current: TierDefinition | null,
  computed: TierDefinition | null,
  policy: DowngradePolicy,
  tiers: readonly TierDefinition[],
): TierDefinition | null {
  if (current === null) return computed;
  if (computed !== null && computed.rank >= current.rank) return computed;
  switch (policy) {
    case 'never':
      return current;
    case 'period_end':
      return computed;
    case 'one_step': {
      const below = [...tiers]
        .sort(byRank)
        .filter((tier) => tier.rank < current.rank)
        .pop();
      if (below === undefined) return computed;
      return computed !== null && computed.rank > below.rank ? computed : below;
    }
  }
}
