/**
 * What makes a tier, and a program's ladder of tiers, acceptable to store. Pure: the HTTP layer
 * checks the envelope (types, ranges) with class-validator; this file checks what depends on
 * several fields (basis and window), the free-form benefits, and the ladder as a whole.
 */
import type { TierBasis } from './tier-evaluation';

export const TIER_LIMITS = {
  nameMaxLength: 100,
  rankMax: 1000,
  windowDaysMin: 1,
  windowDaysMax: 3650,
  earnMultiplierMin: 1,
  earnMultiplierMax: 10,
  /** As for rule multipliers: exact to 1/10 000 so that the evaluator's integer arithmetic is exact. */
  earnMultiplierDecimals: 4,
  benefitsMaxKeys: 30,
  benefitKeyMaxLength: 50,
  benefitTextMaxLength: 500,
  tiersPerProgram: 50,
} as const;

export interface TierFieldError {
  field: string;
  message: string;
}

export interface TierBenefits {
  earn_multiplier: number;
  [perk: string]: string | number | boolean;
}

/** The fields of a tier that the ladder depends on. */
export interface TierRung {
  id?: string;
  name: string;
  rank: number;
  threshold: number;
  basis: TierBasis;
  window_days: number | null;
}

const BENEFIT_KEY = /^[a-z][a-z0-9_]*$/;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `window_days` belongs to the qualifying basis and to it only. */
export function checkWindow(basis: TierBasis, windowDays: number | null): TierFieldError[] {
  if (basis === 'qualifying' && windowDays === null) {
    return [
      {
        field: 'window_days',
        message: `is required for a qualifying tier (${TIER_LIMITS.windowDaysMin} to ${TIER_LIMITS.windowDaysMax} days)`,
      },
    ];
  }
  if (basis === 'lifetime' && windowDays !== null) {
    return [
      { field: 'window_days', message: 'must be left out for a lifetime tier (it counts every point ever earned)' },
    ];
  }
  return [];
}

/**
 * Checks benefits and returns them normalised, with `earn_multiplier` always present (1 when not
 * given). Other keys are perks the tenant displays or acts on ("free_shipping": true,
 * "lounge_access": "2 visits a year"): short snake_case names with a string, number or boolean.
 */
export function readBenefits(input: unknown): { value?: TierBenefits; errors: TierFieldError[] } {
  if (input === undefined || input === null) return { value: { earn_multiplier: 1 }, errors: [] };
  if (!isPlainObject(input)) return { errors: [{ field: 'benefits', message: 'must be an object' }] };
  const errors: TierFieldError[] = [];
  const keys = Object.keys(input);
  if (keys.length > TIER_LIMITS.benefitsMaxKeys) {
    errors.push({ field: 'benefits', message: `must have at most ${TIER_LIMITS.benefitsMaxKeys} entries` });
  }
  const benefits: TierBenefits = { earn_multiplier: 1 };
  for (const key of keys) {
    const field = `benefits.${key}`;
    const value = input[key];
    if (key === 'earn_multiplier') {
      const scale = 10 ** TIER_LIMITS.earnMultiplierDecimals;
      if (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= TIER_LIMITS.earnMultiplierMin &&
        value <= TIER_LIMITS.earnMultiplierMax &&
        Math.abs(value * scale - Math.round(value * scale)) < 1e-6
      ) {
        benefits.earn_multiplier = value;
      } else if (value !== null) {
        errors.push({
          field,
          message: `must be a number from ${TIER_LIMITS.earnMultiplierMin} to ${TIER_LIMITS.earnMultiplierMax} with at most ${TIER_LIMITS.earnMultiplierDecimals} decimals`,
        });
      }
      continue;
    }
    if (key.length > TIER_LIMITS.benefitKeyMaxLength || !BENEFIT_KEY.test(key)) {
      errors.push({
        field,
        message: `must be a snake_case name of at most ${TIER_LIMITS.benefitKeyMaxLength} characters`,
      });
    } else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      benefits[key] = value;
    } else if (typeof value === 'string' && value.length <= TIER_LIMITS.benefitTextMaxLength) {
      benefits[key] = value;
    } else if (value !== null) {
      errors.push({
        field,
        message: `must be a string of at most ${TIER_LIMITS.benefitTextMaxLength} characters, a number or a boolean`,
      });
    }
  }
  return errors.length ? { errors } : { value: benefits, errors };
}

/**
 * Whether `higher` (ranked above `lower`) may be compared with it at all, and if so whether it is
 * easier to reach. Thresholds compare only on the same basis; for qualifying tiers, only when the
 * higher tier's window is at least as long, since then everyone who qualifies for the lower tier
 * would also reach the cheaper higher one (a shorter window for the higher tier is a real, different
 * demand: 500 points in 90 days is not "less" than 1 000 in a year).
 */
function undercuts(lower: TierRung, higher: TierRung): boolean {
  if (lower.basis !== higher.basis) return false;
  if (lower.basis === 'qualifying' && (higher.window_days ?? Infinity) < (lower.window_days ?? Infinity)) return false;
  return higher.threshold < lower.threshold;
}

/** The first pair that breaks the ladder: a higher rank with a lower threshold on the same basis. */
export function ladderConflict(tiers: readonly TierRung[]): { lower: TierRung; higher: TierRung } | null {
  const byRank = [...tiers].sort((a, b) => a.rank - b.rank);
  for (let high = 1; high < byRank.length; high++) {
    for (let low = 0; low < high; low++) {
      if (byRank[low].rank < byRank[high].rank && undercuts(byRank[low], byRank[high])) {
        return { lower: byRank[low], higher: byRank[high] };
      }
    }
  }
  return null;
}

const basisLabel = (tier: TierRung) =>
  tier.basis === 'lifetime' ? 'lifetime points' : `points in ${tier.window_days} days`;

/** Why the pair breaks the ladder, in words an admin can act on. */
export function describeConflict({ lower, higher }: { lower: TierRung; higher: TierRung }): string {
  return (
    `a higher tier must not be easier to reach: ${higher.name} (rank ${higher.rank}) would need ` +
    `${higher.threshold} ${basisLabel(higher)}, less than ${lower.name} (rank ${lower.rank}) below it ` +
    `(${lower.threshold} ${basisLabel(lower)})`
  );
}
