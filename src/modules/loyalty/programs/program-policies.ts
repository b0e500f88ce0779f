/**
 * A program's earn and expiry policies as admins write them (POST/PATCH /api/admin/programs) and as
 * the earning path reads them (activities/earning-context.ts). Pure: the HTTP layer checks the
 * envelope with class-validator, and this file checks the policy objects, whose shape depends on a
 * `type` and which class-validator cannot describe field by field.
 */
import type { ExpiryPolicy } from '../ledger/expiry-policy';
import type { Rounding } from '../rules/rule-evaluator';

export const ROUNDING_MODES = ['floor', 'round', 'ceil'] as const satisfies readonly Rounding[];
export const EXPIRY_TYPES = ['never', 'days_after_earn', 'end_of_nth_month'] as const;
export const DOWNGRADE_POLICIES = ['never', 'period_end', 'one_step'] as const;
export const PROGRAM_STATUSES = ['active', 'archived'] as const;

export interface EarnPolicy {
  /** How fractional points (points per unit, multipliers) are rounded, once per rule. */
  rounding: Rounding;
  /** Most points one activity may earn across all its rules; 0 = no limit. */
  max_points_per_activity: number;
}

export const DEFAULT_EARN_POLICY: EarnPolicy = { rounding: 'floor', max_points_per_activity: 0 };
export const DEFAULT_EXPIRY_POLICY: ExpiryPolicy = { type: 'never' };

export const PROGRAM_LIMITS = {
  pendingDaysMax: 365,
  maxPointsPerActivityMax: 1_000_000_000,
  /** Ten years: points that outlive that are in effect points that never expire. */
  expiryDaysMax: 3650,
  expiryMonthsMax: 120,
} as const;

/** Same shape as the 400 problem's `errors` entries. */
export interface PolicyFieldError {
  field: string;
  message: string;
}

export interface PolicyValidation<T> {
  /** Present only when `errors` is empty. */
  value?: T;
  errors: PolicyFieldError[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isWholeNumberIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

function unknownKeys(input: Record<string, unknown>, known: readonly string[], field: string): PolicyFieldError[] {
  return Object.keys(input)
    .filter((key) => !known.includes(key))
    .map((key) => ({ field: `${field}.${key}`, message: `is not a known field (known: ${known.join(', ')})` }));
}

/**
 * Checks an earn policy and fills in what it leaves out from `base` (the stored policy on a PATCH,
 * the defaults on a POST). A null field goes back to its default.
 */
export function validateEarnPolicy(
  input: unknown,
  base: EarnPolicy = DEFAULT_EARN_POLICY,
): PolicyValidation<EarnPolicy> {
  const field = 'earn_policy';
  if (input === null) return { value: { ...DEFAULT_EARN_POLICY }, errors: [] };
  if (!isPlainObject(input)) return { errors: [{ field, message: 'must be an object' }] };
  const errors = unknownKeys(input, ['rounding', 'max_points_per_activity'], field);
  const value: EarnPolicy = { ...base };

  if (input.rounding === null) value.rounding = DEFAULT_EARN_POLICY.rounding;
  else if (input.rounding !== undefined) {
    if ((ROUNDING_MODES as readonly unknown[]).includes(input.rounding)) value.rounding = input.rounding as Rounding;
    else errors.push({ field: `${field}.rounding`, message: `must be one of ${ROUNDING_MODES.join(', ')}` });
  }

  const max = input.max_points_per_activity;
  if (max === null) value.max_points_per_activity = 0;
  else if (max !== undefined) {
    if (isWholeNumberIn(max, 0, PROGRAM_LIMITS.maxPointsPerActivityMax)) value.max_points_per_activity = max;
    else
      errors.push({
        field: `${field}.max_points_per_activity`,
        message: `must be a whole number from 0 (no limit) to ${PROGRAM_LIMITS.maxPointsPerActivityMax}`,
      });
  }
  return errors.length ? { errors } : { value, errors };
}

/**
 * Checks an expiry policy. It is a union chosen by `type`, so a policy is always given whole: the
 * fields of one type mean nothing to another. null means `{type: 'never'}`.
 */
export function validateExpiryPolicy(input: unknown): PolicyValidation<ExpiryPolicy> {
  const field = 'expiry_policy';
  if (input === null) return { value: { ...DEFAULT_EXPIRY_POLICY }, errors: [] };
  if (!isPlainObject(input)) return { errors: [{ field, message: 'must be an object with a type' }] };
  switch (input.type) {
    case 'never': {
      const errors = unknownKeys(input, ['type'], field);
      return errors.length ? { errors } : { value: { type: 'never' }, errors };
    }
    case 'days_after_earn': {
      const errors = unknownKeys(input, ['type', 'days'], field);
      if (!isWholeNumberIn(input.days, 1, PROGRAM_LIMITS.expiryDaysMax))
        errors.push({
          field: `${field}.days`,
          message: `must be a whole number from 1 to ${PROGRAM_LIMITS.expiryDaysMax}`,
        });
      return errors.length ? { errors } : { value: { type: 'days_after_earn', days: input.days as number }, errors };
    }
    case 'end_of_nth_month': {
      const errors = unknownKeys(input, ['type', 'months'], field);
      // 0 is the month of earning itself: points earned in March are good through March.
      if (!isWholeNumberIn(input.months, 0, PROGRAM_LIMITS.expiryMonthsMax))
        errors.push({
          field: `${field}.months`,
          message: `must be a whole number from 0 (the month of earning) to ${PROGRAM_LIMITS.expiryMonthsMax}`,
        });
      return errors.length
        ? { errors }
        : { value: { type: 'end_of_nth_month', months: input.months as number }, errors };
    }
    default:
      return { errors: [{ field: `${field}.type`, message: `must be one of ${EXPIRY_TYPES.join(', ')}` }] };
  }
}

/** A stored earn policy (possibly partial, from provisioning or an older release) with the defaults filled in. */
export function storedEarnPolicy(stored: unknown): EarnPolicy {
  const raw = isPlainObject(stored) ? stored : {};
  return {
    rounding: (ROUNDING_MODES as readonly unknown[]).includes(raw.rounding)
      ? (raw.rounding as Rounding)
      : DEFAULT_EARN_POLICY.rounding,
    max_points_per_activity: isWholeNumberIn(raw.max_points_per_activity, 0, Number.MAX_SAFE_INTEGER)
      ? raw.max_points_per_activity
      : DEFAULT_EARN_POLICY.max_points_per_activity,
  };
}

/** A stored expiry policy, read the way the earning path reads it: anything without a type never expires. */
export function storedExpiryPolicy(stored: unknown): ExpiryPolicy {
  return validateExpiryPolicy(stored).value ?? { ...DEFAULT_EXPIRY_POLICY };
}
