/**
 * An earning rule as admins write it (POST/PATCH /api/admin/rules, POST /api/admin/rules/simulate)
 * and as the evaluator reads it. The JSON shape is the public contract of API.md, so the fields stay
 * in snake_case here: what is validated, stored (jsonb) and returned is one object, with no mapping
 * in between to get wrong.
 *
 * Units: amounts are integers in minor units of `conditions.currency` (or of the activity's currency
 * when the rule names none); points are integers. Every condition is optional; an absent or empty
 * condition does not restrict. All conditions of a rule must hold for it to fire.
 */

export const RULE_TYPES = [
  'purchase',
  'refund',
  'check_in',
  'event_attendance',
  'signup',
  'referral',
  'birthday',
  'survey',
  'challenge_completed',
  'custom',
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/**
 * `exclusive`: when the rule fires, no rule of a strictly lower priority fires. Rules of the same
 * priority are peers and are not stopped, so the outcome never depends on an arbitrary order.
 */
export const STACKING_MODES = ['stackable', 'exclusive'] as const;
export type Stacking = (typeof STACKING_MODES)[number];

export const EFFECT_TYPES = ['fixed', 'points_per_unit', 'multiplier', 'bonus'] as const;
export type EffectType = (typeof EFFECT_TYPES)[number];

/** Local wall-clock times `HH:MM` in the tenant's time zone; half-open [from, to). `to < from` wraps midnight. */
export interface TimeWindow {
  from: string;
  to: string;
}

export interface RuleConditions {
  /** Activity amount (the whole basket) at least this, in minor units. */
  min_amount?: number;
  /** Activity amount (the whole basket) at most this, in minor units. */
  max_amount?: number;
  /** ISO 4217; the activity must be in this currency. */
  currency?: string;
  /**
   * Item filters: the activity must carry at least one item whose category is listed (and whose
   * sku is listed, when both filters are given). A `points_per_unit` effect then earns on the
   * amounts of those matching items only.
   */
  categories?: string[];
  skus?: string[];
  /** Sales channels; `channel` is accepted as an input alias and stored as `channels`. */
  channels?: string[];
  /** ISO weekdays of the local date, Monday = 1 … Sunday = 7; sorted and without repeats. */
  days_of_week?: number[];
  time_window?: TimeWindow;
  /** The customer's current tier must be one of these. */
  tier_ids?: string[];
  /** The customer must be in at least one of these segments. */
  segments?: string[];
  /** The activity must have happened at one of these locations. */
  location_ids?: string[];
  /** Only the customer's first activity of this type. */
  first_activity_only?: boolean;
  /** Only every n-th activity of this type (the n-th, 2n-th, …); 0 = every activity. */
  every_nth?: number;
}

export type RuleEffect =
  /** A flat number of points; scaled by multiplier rules and the tier multiplier. */
  | { type: 'fixed'; points: number }
  /** `points` for every `per` minor units, rounded once by the program's rounding. */
  | { type: 'points_per_unit'; points: number; per: number }
  /** Adds (factor − 1) × the fixed and points_per_unit points that fired; see rule-evaluator.ts. */
  | { type: 'multiplier'; factor: number }
  /** A flat number of points that no multiplier scales (a birthday bonus is not doubled on a double-points day). */
  | { type: 'bonus'; points: number };

/** Points per customer per period (periods in the tenant's time zone); 0 = no cap. */
export interface PerCustomerCaps {
  day: number;
  week: number;
  month: number;
  lifetime: number;
}

export interface RuleCaps {
  per_customer: PerCustomerCaps;
  /** Points the rule may award across all customers, ever; 0 = no budget. */
  budget_points: number;
}

export interface RuleDefinition {
  name: string;
  /** null when the caller did not say: the HTTP layer puts the tenant's default program there. */
  program_id: string | null;
  rule_type: RuleType;
  /** Only for `custom` rules: matches activities of type `custom:<custom_type>` exactly; null = any custom activity. */
  custom_type: string | null;
  /** Higher runs first; ties are peers (see `STACKING_MODES`). */
  priority: number;
  stacking: Stacking;
  conditions: RuleConditions;
  effect: RuleEffect;
  caps: RuleCaps;
  /** Inclusive local dates `YYYY-MM-DD` in the tenant's time zone; null = open. */
  start_date: string | null;
  end_date: string | null;
  active: boolean;
}

/** Same shape as the 400 problem's `errors` entries. */
export interface RuleFieldError {
  field: string;
  message: string;
}

export interface RuleValidation {
  /** Present only when `errors` is empty. */
  value?: RuleDefinition;
  errors: RuleFieldError[];
}

/** Bounds that the validator enforces, exported so that DTO documentation can quote them. */
export const RULE_LIMITS = {
  nameMaxLength: 200,
  customTypeMaxLength: 60,
  priorityMin: -1_000_000,
  priorityMax: 1_000_000,
  pointsMin: 1,
  pointsMax: 1_000_000,
  perMax: 1_000_000_000,
  factorMax: 10,
  /** Multipliers are exact to 1/10 000 so that 1.1 × 100 is 110, never 110.00000000000001 rounded up. */
  factorDecimals: 4,
  capMax: 1_000_000_000,
  everyNthMax: 1_000_000,
  listMaxItems: 1000,
  listItemMaxLength: 100,
  channelMaxLength: 40,
} as const;

const TOP_LEVEL_FIELDS = [
  'name',
  'program_id',
  'rule_type',
  'custom_type',
  'priority',
  'stacking',
  'conditions',
  'effect',
  'caps',
  'start_date',
  'end_date',
  'active',
] as const;

const CONDITION_FIELDS = [
  'min_amount',
  'max_amount',
  'currency',
  'categories',
  'skus',
  'channels',
  'channel',
  'days_of_week',
  'time_window',
  'tier_ids',
  'segments',
  'location_ids',
  'first_activity_only',
  'every_nth',
] as const;

const EFFECT_FIELDS: Record<EffectType, readonly string[]> = {
  fixed: ['type', 'points'],
  points_per_unit: ['type', 'points', 'per'],
  multiplier: ['type', 'factor'],
  bonus: ['type', 'points'],
};

const CAP_PERIODS = ['day', 'week', 'month', 'lifetime'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** The part after `custom:` in an activity type. */
const CUSTOM_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/** Collects every problem with its path, so that one 400 lists them all. */
class FieldErrors {
  readonly found: RuleFieldError[] = [];

  add(field: string, message: string): undefined {
    this.found.push({ field, message });
    return undefined;
  }

  integer(value: unknown, field: string, min: number, max: number): number | undefined {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    return this.add(field, `must be a whole number from ${min} to ${max}`);
  }

  boolean(value: unknown, field: string): boolean | undefined {
    return typeof value === 'boolean' ? value : this.add(field, 'must be true or false');
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
    return typeof value === 'string' && (allowed as readonly string[]).includes(value)
      ? (value as T)
      : this.add(field, `must be one of ${allowed.join(', ')}`);
  }

  unknownKeys(object: Record<string, unknown>, known: readonly string[], field: string, what: string): void {
    for (const key of Object.keys(object)) {
      if (!known.includes(key))
        this.add(field ? `${field}.${key}` : key, `is not a known ${what} (known: ${known.join(', ')})`);
    }
  }

  /**
   * A list of distinct values, each checked by `item`; repeats are dropped (first kept) so that
   * stored rules compare equal however they were typed.
   */
  distinctList<T>(
    value: unknown,
    field: string,
    item: (entry: unknown, path: string) => T | undefined,
  ): T[] | undefined {
    if (!Array.isArray(value)) return this.add(field, 'must be a list');
    if (value.length > RULE_LIMITS.listMaxItems)
      return this.add(field, `must have at most ${RULE_LIMITS.listMaxItems} entries`);
    const before = this.found.length;
    const accepted: T[] = [];
    value.forEach((entry, index) => {
      const checked = item(entry, `${field}[${index}]`);
      if (checked !== undefined && !accepted.includes(checked)) accepted.push(checked);
    });
    return this.found.length === before ? accepted : undefined;
  }

  text(value: unknown, field: string, maxLength: number): string | undefined {
    if (typeof value !== 'string') return this.add(field, 'must be a string');
    const trimmed = value.trim();
    if (trimmed.length === 0) return this.add(field, 'must not be blank');
    if (trimmed.length > maxLength) return this.add(field, `must be at most ${maxLength} characters`);
    return trimmed;
  }

  uuid(value: unknown, field: string): string | undefined {
    return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : this.add(field, 'must be a UUID');
  }

  date(value: unknown, field: string): string | null | undefined {
    if (value === undefined || value === null) return null;
    const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
    if (match) {
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const probe = new Date(Date.UTC(year, month - 1, day));
      // Date.UTC rolls 2025-02-30 over to March: a real date survives the round trip.
      if (probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day) {
        return match[0];
      }
    }
    return this.add(field, 'must be a date as YYYY-MM-DD, or null');
  }
}

function readConditions(input: unknown, errors: FieldErrors): RuleConditions {
  if (input === undefined || input === null) return {};
  if (!isPlainObject(input)) return errors.add('conditions', 'must be an object') ?? {};
  errors.unknownKeys(input, CONDITION_FIELDS, 'conditions', 'condition');
  const conditions: RuleConditions = {};
  const present = (key: (typeof CONDITION_FIELDS)[number]) => input[key] !== undefined && input[key] !== null;
  const field = (key: string) => `conditions.${key}`;
  const label = (max: number) => (entry: unknown, path: string) => errors.text(entry, path, max);

  for (const key of ['min_amount', 'max_amount'] as const) {
    if (present(key)) conditions[key] = errors.integer(input[key], field(key), 0, Number.MAX_SAFE_INTEGER);
  }
  if (
    conditions.min_amount !== undefined &&
    conditions.max_amount !== undefined &&
    conditions.min_amount > conditions.max_amount
  ) {
    errors.add(field('min_amount'), 'must not be greater than max_amount');
  }
  if (present('currency')) {
    const currency = input.currency;
    conditions.currency =
      typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) && KNOWN_CURRENCIES.has(currency)
        ? currency
        : errors.add(field('currency'), 'must be an ISO 4217 currency code such as GBP');
  }
  for (const key of ['categories', 'skus', 'segments'] as const) {
    if (present(key))
      conditions[key] = errors.distinctList(input[key], field(key), label(RULE_LIMITS.listItemMaxLength));
  }
  if (present('channel') && present('channels')) {
    errors.add(field('channel'), 'give either channel or channels, not both');
  } else if (present('channel') || present('channels')) {
    const key = present('channel') ? 'channel' : 'channels';
    // A single channel as a plain string reads naturally in the singular spelling.
    const value = key === 'channel' && typeof input.channel === 'string' ? [input.channel] : input[key];
    conditions.channels = errors.distinctList(value, field(key), label(RULE_LIMITS.channelMaxLength));
  }
  if (present('days_of_week')) {
    const days = errors.distinctList(input.days_of_week, field('days_of_week'), (entry, path) =>
      errors.integer(entry, path, 1, 7),
    );
    conditions.days_of_week = days?.sort((a, b) => a - b);
  }
  if (present('time_window')) conditions.time_window = readTimeWindow(input.time_window, errors);
  for (const key of ['tier_ids', 'location_ids'] as const) {
    if (present(key))
      conditions[key] = errors.distinctList(input[key], field(key), (entry, path) => errors.uuid(entry, path));
  }
  if (present('first_activity_only')) {
    conditions.first_activity_only = errors.boolean(input.first_activity_only, field('first_activity_only'));
  }
  if (present('every_nth')) {
    conditions.every_nth = errors.integer(input.every_nth, field('every_nth'), 0, RULE_LIMITS.everyNthMax);
  }
  return conditions;
}

function readTimeWindow(input: unknown, errors: FieldErrors): TimeWindow | undefined {
  const field = 'conditions.time_window';
  if (!isPlainObject(input)) return errors.add(field, 'must be an object {from, to}');
  errors.unknownKeys(input, ['from', 'to'], field, 'field of time_window');
  const time = (key: 'from' | 'to') => {
    const value = input[key];
    return typeof value === 'string' && HH_MM.test(value)
      ? value
      : errors.add(`${field}.${key}`, 'must be a time as HH:MM from 00:00 to 23:59');
  };
  const from = time('from');
  const to = time('to');
  if (from === undefined || to === undefined) return undefined;
  if (from === to) return errors.add(`${field}.to`, 'must differ from from (leave time_window out for the whole day)');
  return { from, to };
}

function readEffect(input: unknown, errors: FieldErrors): RuleEffect | undefined {
  if (input === undefined || input === null) return errors.add('effect', 'is required');
  if (!isPlainObject(input)) return errors.add('effect', 'must be an object');
  const type = errors.oneOf(input.type, 'effect.type', EFFECT_TYPES);
  if (!type) return undefined;
  errors.unknownKeys(input, EFFECT_FIELDS[type], 'effect', `field of a ${type} effect`);
  const points = () => errors.integer(input.points, 'effect.points', RULE_LIMITS.pointsMin, RULE_LIMITS.pointsMax);
  switch (type) {
    case 'fixed':
    case 'bonus': {
      const value = points();
      return value === undefined ? undefined : { type, points: value };
    }
    case 'points_per_unit': {
      const value = points();
      const per = errors.integer(input.per, 'effect.per', 1, RULE_LIMITS.perMax);
      return value === undefined || per === undefined ? undefined : { type, points: value, per };
    }
    case 'multiplier': {
      const factor = input.factor;
      const scale = 10 ** RULE_LIMITS.factorDecimals;
      const valid =
        typeof factor === 'number' &&
        Number.isFinite(factor) &&
        factor > 1 &&
        factor <= RULE_LIMITS.factorMax &&
        Math.abs(factor * scale - Math.round(factor * scale)) < 1e-6;
      return valid
        ? { type, factor }
        : errors.add(
            'effect.factor',
            `must be a number above 1 and at most ${RULE_LIMITS.factorMax}, with at most ${RULE_LIMITS.factorDecimals} decimals`,
          );
    }
  }
}

function readCaps(input: unknown, errors: FieldErrors): RuleCaps {
  const caps: RuleCaps = { per_customer: { day: 0, week: 0, month: 0, lifetime: 0 }, budget_points: 0 };
  if (input === undefined || input === null) return caps;
  if (!isPlainObject(input)) return errors.add('caps', 'must be an object') ?? caps;
  errors.unknownKeys(input, ['per_customer', 'budget_points'], 'caps', 'field of caps');
  // null reads as 0 (no cap), so that a form can clear a cap by sending null.
  const cap = (value: unknown, field: string) =>
    value === undefined || value === null ? 0 : (errors.integer(value, field, 0, RULE_LIMITS.capMax) ?? 0);
  caps.budget_points = cap(input.budget_points, 'caps.budget_points');
  const perCustomer = input.per_customer;
  if (perCustomer !== undefined && perCustomer !== null) {
    if (!isPlainObject(perCustomer)) {
      errors.add('caps.per_customer', 'must be an object {day, week, month, lifetime}');
    } else {
      errors.unknownKeys(perCustomer, CAP_PERIODS, 'caps.per_customer', 'cap period');
      for (const period of CAP_PERIODS) {
        caps.per_customer[period] = cap(perCustomer[period], `caps.per_customer.${period}`);
      }
    }
  }
  return caps;
}

/**
 * Checks a whole rule (POST, or a rule given to simulate) and returns it normalised: defaults
 * filled in (priority 0, stackable, no conditions, no caps, open dates, active), ids lower-cased,
 * lists deduplicated, `channel` stored as `channels`, null conditions dropped. Every problem is
 * reported at once with its snake_case path, e.g. `conditions.days_of_week[2]` or `effect.per`.
 */
export function validateRuleDefinition(input: unknown): RuleValidation {
  if (!isPlainObject(input)) return { errors: [{ field: 'rule', message: 'must be an object' }] };
  const errors = new FieldErrors();
  errors.unknownKeys(input, TOP_LEVEL_FIELDS, '', 'field');

  const name =
    input.name === undefined
      ? errors.add('name', 'is required')
      : errors.text(input.name, 'name', RULE_LIMITS.nameMaxLength);
  const programId =
    input.program_id === undefined || input.program_id === null ? null : errors.uuid(input.program_id, 'program_id');
  const ruleType =
    input.rule_type === undefined
      ? errors.add('rule_type', 'is required')
      : errors.oneOf(input.rule_type, 'rule_type', RULE_TYPES);

  let customType: string | null | undefined = null;
  if (input.custom_type !== undefined && input.custom_type !== null) {
    if (ruleType !== undefined && ruleType !== 'custom') {
      customType = errors.add('custom_type', 'only a custom rule may name a custom_type');
    } else {
      const text = errors.text(input.custom_type, 'custom_type', RULE_LIMITS.customTypeMaxLength);
      customType =
        text === undefined || CUSTOM_TYPE.test(text)
          ? text
          : errors.add('custom_type', 'must be letters, digits, "_", "." or "-", starting with a letter or digit');
    }
  }

  const priority =
    input.priority === undefined
      ? 0
      : errors.integer(input.priority, 'priority', RULE_LIMITS.priorityMin, RULE_LIMITS.priorityMax);
  const stacking =
    input.stacking === undefined ? 'stackable' : errors.oneOf(input.stacking, 'stacking', STACKING_MODES);
  const active = input.active === undefined ? true : errors.boolean(input.active, 'active');
  const conditions = readConditions(input.conditions, errors);
  const effect = readEffect(input.effect, errors);
  const caps = readCaps(input.caps, errors);
  const startDate = errors.date(input.start_date, 'start_date');
  const endDate = errors.date(input.end_date, 'end_date');
  if (startDate && endDate && startDate > endDate) errors.add('end_date', 'must not be before start_date');

  if (errors.found.length > 0) return { errors: errors.found };
  return {
    value: {
      name: name!,
      program_id: programId!,
      rule_type: ruleType!,
      custom_type: customType!,
      priority: priority!,
      stacking: stacking!,
      conditions,
      effect: effect!,
      caps,
      start_date: startDate!,
      end_date: endDate!,
      active: active!,
    },
    errors: [],
  };
}

/**
 * Applies a PATCH to a stored rule and validates the result as a whole, so that a change which is
 * fine alone but not with what is stored (a min_amount above the stored max_amount) is refused.
 *
 * Merging: top-level fields replace; `conditions` merge key by key (null removes a condition,
 * `conditions: null` removes all); `caps` and `caps.per_customer` merge key by key; `effect` merges
 * over the stored effect when it keeps the same type and replaces it when the type changes (the
 * fields of one effect type mean nothing to another).
 */
export function validateRulePatch(existing: RuleDefinition, patch: unknown): RuleValidation {
  if (!isPlainObject(patch)) return { errors: [{ field: 'rule', message: 'must be an object' }] };
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'conditions' && isPlainObject(value)) {
      const conditions: Record<string, unknown> = { ...existing.conditions };
      // The stored spelling is `channels`; a patch in the singular replaces it rather than clashing with it.
      if (hasOwn(value, 'channel')) delete conditions.channels;
      merged.conditions = { ...conditions, ...value };
    } else if (key === 'caps' && isPlainObject(value)) {
      const perCustomer = value.per_customer;
      merged.caps = {
        ...existing.caps,
        ...value,
        per_customer: isPlainObject(perCustomer)
          ? { ...existing.caps.per_customer, ...perCustomer }
          : perCustomer === undefined
            ? existing.caps.per_customer
            : perCustomer,
      };
    } else if (
      key === 'effect' &&
      isPlainObject(value) &&
      (value.type === undefined || value.type === existing.effect.type)
    ) {
      merged.effect = { ...existing.effect, ...value };
    } else {
      merged[key] = value;
    }
  }
  return validateRuleDefinition(merged);
}
