import {
  nextTier,
  pointsOnBasis,
  TierBasis,
  TierDefinition,
  TierStanding,
  tierFor,
} from '../loyalty/tiers/tier-evaluation';

/** Where a customer stands on the ladder, as the customer app shows it. */
export interface TierProgress {
  current: TierDefinition | null;
  next: TierDefinition | null;
  /** The basis progress is measured on: the next tier's, or the current one's at the top. */
  basis: TierBasis | null;
  window_days: number | null;
  /** The customer's points on that basis. */
  points: number;
  points_to_next_tier: number | null;
  /** 0–100, whole percent; 100 at the top of the ladder. */
  percent: number;
}

const sameMeasure = (a: TierDefinition, b: TierDefinition): boolean =>
  a.basis === b.basis && (a.basis === 'lifetime' || a.window_days === b.window_days);

/**
 * The tier a customer holds is the one stored on their account (a no-downgrade policy may keep it
 * above what their points now earn); an account no tier was ever recorded on holds what its points
 * earn, typically the entry tier with threshold 0. Progress runs from the current tier's threshold
 * to the next one's when both count the same points, otherwise from zero.
 */
export function tierProgress(
  tiers: readonly TierDefinition[],
  heldTierId: string | null,
  standing: TierStanding,
): TierProgress {
  const held = tiers.find((tier) => tier.id === heldTierId) ?? tierFor(tiers, standing);
  const upcoming = nextTier(tiers, held, standing);
  if (!upcoming) {
    return {
      current: held,
      next: null,
      basis: held?.basis ?? null,
      window_days: held?.basis === 'qualifying' ? held.window_days : null,
      points: held ? pointsOnBasis(held, standing) : standing.lifetime_points,
      points_to_next_tier: null,
      percent: held ? 100 : 0,
    };
  }
  const next = upcoming.tier;
  const points = pointsOnBasis(next, standing);
  const floor = held && sameMeasure(held, next) ? Math.min(held.threshold, next.threshold) : 0;
  const span = next.threshold - floor;
  const percent = span <= 0 ? 100 : Math.min(100, Math.max(0, Math.floor(((points - floor) * 100) / span)));
  return {
    current: held,
    next,
    basis: next.basis,
    window_days: next.basis === 'qualifying' ? next.window_days : null,
    points,
    points_to_next_tier: upcoming.points_needed,
    percent: upcoming.points_needed === 0 ? 100 : percent,
  };
}
