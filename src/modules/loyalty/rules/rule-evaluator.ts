/**
 * Which earning rules an activity fires and how many points each gives. Pure: the caller loads the
 * rules, the customer's facts and the cap usage, and records the result in the ledger.
 *
 * Semantics (the contract the ledger, simulate and the admin UI rely on):
 *
 * 1. Eligibility. A rule fires only if it is active, its type matches the activity (`custom` rules
 *    match `custom:<custom_type>`, or any `custom:*` when they name none), the activity's local date
 *    is within [start_date, end_date], and every condition holds. Local date, weekday and time are
 *    read in `options.time_zone`.
 * 2. Order. Rules are considered by priority, higher first; equal priorities are sorted by rule id
 *    so that the output is the same whatever order the rules were loaded in.
 * 3. Exclusivity. When an `exclusive` rule fires, every rule of a strictly lower priority is
 *    skipped (`excluded`). Rules of the same priority are peers and still fire.
 * 4. Caps decide firing. A rule whose remaining per-customer cap or budget is already 0 does not
 *    fire (`cap_reached`), so a used-up exclusive promotion hands earning back to the normal rules
 *    instead of silencing them. A rule that fires may still earn 0 points (a 50p purchase at
 *    1 point per £1); it is then in `applied` with 0 points and still excludes lower rules.
 * 5. Points, per firing rule, each rounded once with `options.rounding` ('round' = half up):
 *    - fixed and points_per_unit ("base" points) are multiplied by `options.tier_multiplier`, then
 *      capped by that rule's remaining caps. The tier multiplier is therefore applied BEFORE each
 *      rule's caps: a cap is a hard promise to the tenant about what the rule costs, whatever the
 *      customer's tier.
 *    - multiplier rules each add round((factor − 1) × sum of the capped base points), then their
 *      own caps apply. Several multipliers ADD, they do not compound: ×2 and ×1.5 together give
 *      ×2.5, so each multiplier's share is independent of the others and of their order.
 *    - bonus rules give their points, capped by their caps; no multiplier (rule or tier) scales them.
 *    A rule's remaining room is the least of (cap − used) over its non-zero day, week, month and
 *    lifetime caps and (budget_points − budget_used); `capped` names the one that bound.
 * 6. The activity's total is capped by `options.max_points_per_activity` (0 = none); the excess
 *    is taken from the applied rules lowest in the order first, marked `capped: 'max_per_activity'`.
 * 7. Points are integers and never negative; `points` is the sum of `applied[].points`. Every
 *    input rule appears exactly once, in `applied` or in `skipped`.
 *
 * Refunds are not earned by rules: the ledger reverses the refunded purchase's points
 * proportionally with `refundReversal`. A refund activity only matches rules of type `refund`, so
 * without such a rule it earns nothing; since every effect is positive, a refund rule can only
 * ever add points (for example a goodwill gesture), never take them.
 *
 * Budget and caps are read from the `usage` snapshot; two activities evaluated concurrently can
 * both see the same room, so the caller must serialise per customer and spend budget with an atomic
 * conditional update.
 */
import { isWithinWindow, LocalMoment, localMoment } from './local-time';
import { RuleDefinition } from './rule-definition';

/** A stored rule: a validated definition plus its id. */
export interface EvaluableRule extends RuleDefinition {
  id: string;
}

export interface ActivityItem {
  sku: string;
  category?: string | null;
  quantity: number;
  /** Line total (all of `quantity`) in minor units; what points_per_unit earns on under an item filter. */
  amount?: number | null;
}

export interface ActivityFacts {
  /** purchase, refund, check_in, … or `custom:<name>`. */
  type: string;
  /** Minor units; the caller fills `currency` with the tenant's default when the client sent none. */
  amount?: number | null;
  currency?: string | null;
  items?: readonly ActivityItem[] | null;
  channel?: string | null;
  location_id?: string | null;
  occurred_at: Date;
}

export interface CustomerFacts {
  tier_id: string | null;
  segments: readonly string[];
  /** Activities of each type BEFORE this one; a missing type counts 0. */
  prior_count_by_type: Readonly<Record<string, number>>;
}

/** Points already awarded by one rule: to this customer in the current periods, and to everyone (budget). */
export interface RuleUsage {
  day: number;
  week: number;
  month: number;
  lifetime: number;
  budget_used: number;
}

/** By rule id; a missing rule or field counts 0. */
export type UsageByRule = Readonly<Record<string, Partial<RuleUsage> | undefined>>;

export type Rounding = 'floor' | 'round' | 'ceil';

export interface EvaluationOptions {
  /** IANA zone of the tenant. */
  time_zone: string;
  rounding: Rounding;
  /** 0 = no limit. */
  max_points_per_activity: number;
  /** The customer's tier earn multiplier, ≥ 1 (1 without a tier); exact to 4 decimals. */
  tier_multiplier: number;
}

export type CapKind = 'day' | 'week' | 'month' | 'lifetime' | 'budget';

export interface AppliedRule {
  rule_id: string;
  name: string;
  points: number;
  /** What reduced the points, when something did. */
  capped?: CapKind | 'max_per_activity';
}

export type SkipReason =
  | 'inactive'
  | 'type_mismatch'
  | 'not_started'
  | 'ended'
  | 'amount_missing'
  | 'below_min_amount'
  | 'above_max_amount'
  | 'currency_mismatch'
  | 'no_matching_item'
  | 'channel_mismatch'
  | 'location_mismatch'
  | 'day_of_week'
  | 'outside_time_window'
  | 'tier_mismatch'
  | 'segment_mismatch'
  | 'not_first_activity'
  | 'not_nth_activity'
  | 'cap_reached'
  | 'excluded';

export interface SkippedRule {
  rule_id: string;
  name: string;
  reason: SkipReason;
  /** With `cap_reached`: the cap that is used up. */
  cap?: CapKind;
  /** With `excluded`: the exclusive rule that fired. */
  excluded_by?: string;
}

export interface RuleEvaluation {
  points: number;
  applied: AppliedRule[];
  skipped: SkippedRule[];
}

/** Multiplier factors are held as integers of 1/10 000 so that the arithmetic below is exact. */
const FACTOR_SCALE = 10_000;

interface Room {
  remaining: number;
  kind: CapKind;
}

const wholeNonNegative = (value: number | null | undefined): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;

function ruleMatchesType(rule: EvaluableRule, activityType: string): boolean {
  if (rule.rule_type !== 'custom') return rule.rule_type === activityType;
  if (!activityType.startsWith('custom:')) return false;
  return rule.custom_type === null || activityType === `custom:${rule.custom_type}`;
}

const hasItemFilter = (rule: EvaluableRule) =>
  (rule.conditions.categories?.length ?? 0) > 0 || (rule.conditions.skus?.length ?? 0) > 0;

/** Items that pass every item filter of the rule (category and sku, when given). */
function matchingItems(rule: EvaluableRule, activity: ActivityFacts): ActivityItem[] {
  const { categories, skus } = rule.conditions;
  return (activity.items ?? []).filter(
    (item) =>
      (!categories?.length || (item.category != null && categories.includes(item.category))) &&
      (!skus?.length || skus.includes(item.sku)),
  );
}

/** Why the rule does not fire for this activity, or null when it does (caps aside). */
function ineligibility(
  rule: EvaluableRule,
  activity: ActivityFacts,
  customer: CustomerFacts,
  local: LocalMoment,
): SkipReason | null {
  const conditions = rule.conditions;
  if (!rule.active) return 'inactive';
  if (!ruleMatchesType(rule, activity.type)) return 'type_mismatch';
  if (rule.start_date !== null && local.date < rule.start_date) return 'not_started';
  if (rule.end_date !== null && local.date > rule.end_date) return 'ended';
  if (conditions.min_amount !== undefined || conditions.max_amount !== undefined) {
    if (activity.amount == null) return 'amount_missing';
    if (conditions.min_amount !== undefined && activity.amount < conditions.min_amount) return 'below_min_amount';
    if (conditions.max_amount !== undefined && activity.amount > conditions.max_amount) return 'above_max_amount';
  }
  if (conditions.currency !== undefined && activity.currency !== conditions.currency) return 'currency_mismatch';
  if (hasItemFilter(rule) && matchingItems(rule, activity).length === 0) return 'no_matching_item';
  if (conditions.channels?.length && (activity.channel == null || !conditions.channels.includes(activity.channel))) {
    return 'channel_mismatch';
  }
  if (
    conditions.location_ids?.length &&
    (activity.location_id == null || !conditions.location_ids.includes(activity.location_id.toLowerCase()))
  ) {
    return 'location_mismatch';
  }
  if (conditions.days_of_week?.length && !conditions.days_of_week.includes(local.isoWeekday)) return 'day_of_week';
  if (
    conditions.time_window &&
    !isWithinWindow(local.minuteOfDay, conditions.time_window.from, conditions.time_window.to)
  ) {
    return 'outside_time_window';
  }
  if (
    conditions.tier_ids?.length &&
    (customer.tier_id === null || !conditions.tier_ids.includes(customer.tier_id.toLowerCase()))
  ) {
    return 'tier_mismatch';
  }
  if (conditions.segments?.length && !conditions.segments.some((segment) => customer.segments.includes(segment))) {
    return 'segment_mismatch';
  }
  const prior = wholeNonNegative(customer.prior_count_by_type[activity.type]);
  if (conditions.first_activity_only && prior > 0) return 'not_first_activity';
  if (conditions.every_nth && (prior + 1) % conditions.every_nth !== 0) return 'not_nth_activity';
  return null;
}

/** The least remaining allowance of the rule, or null when it has no cap and no budget. */
function roomOf(rule: EvaluableRule, usage: Partial<RuleUsage> | undefined): Room | null {
  const limits: [CapKind, number, number][] = [
    ['day', rule.caps.per_customer.day, usage?.day ?? 0],
    ['week', rule.caps.per_customer.week, usage?.week ?? 0],
    ['month', rule.caps.per_customer.month, usage?.month ?? 0],
    ['lifetime', rule.caps.per_customer.lifetime, usage?.lifetime ?? 0],
    ['budget', rule.caps.budget_points, usage?.budget_used ?? 0],
  ];
  let room: Room | null = null;
  for (const [kind, cap, used] of limits) {
    if (cap <= 0) continue;
    const remaining = Math.max(0, cap - wholeNonNegative(used));
    // Strictly less: on a tie the shorter period is named, which is the one that resets first.
    if (room === null || remaining < room.remaining) room = { remaining, kind };
  }
  return room;
}

/** numerator / denominator rounded as the program says; both non-negative. */
function roundQuotient(numerator: bigint, denominator: bigint, rounding: Rounding): number {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const up = remainder > 0n && (rounding === 'ceil' || (rounding === 'round' && 2n * remainder >= denominator));
  const result = up ? quotient + 1n : quotient;
  return result > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(result);
}

const scaledFactor = (factor: number) => BigInt(Math.round(factor * FACTOR_SCALE));

/** Base points of a fixed or points_per_unit rule, tier multiplier included, before caps. */
function basePoints(rule: EvaluableRule, activity: ActivityFacts, tierFactor: bigint, rounding: Rounding): number {
  const effect = rule.effect;
  if (effect.type === 'fixed') {
    return roundQuotient(BigInt(effect.points) * tierFactor, BigInt(FACTOR_SCALE), rounding);
  }
  if (effect.type !== 'points_per_unit') return 0;
  // Under an item filter, "2 points per £1 on coffee" earns on the coffee, not the whole basket.
  const amount = hasItemFilter(rule)
    ? matchingItems(rule, activity).reduce((sum, item) => sum + wholeNonNegative(item.amount), 0)
    : wholeNonNegative(activity.amount);
  return roundQuotient(
    BigInt(amount) * BigInt(effect.points) * tierFactor,
    BigInt(effect.per) * BigInt(FACTOR_SCALE),
    rounding,
  );
}

function checkOptions(options: EvaluationOptions): void {
  if (!Number.isFinite(options.tier_multiplier) || options.tier_multiplier < 1) {
    throw new RangeError('tier_multiplier must be a number of at least 1');
  }
  if (!Number.isInteger(options.max_points_per_activity) || options.max_points_per_activity < 0) {
    throw new RangeError('max_points_per_activity must be a whole number of at least 0');
  }
}

const byPriorityThenId = (a: EvaluableRule, b: EvaluableRule) =>
  b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** See the semantics at the top of this file. */
export function evaluateRules(
  rules: readonly EvaluableRule[],
  activity: ActivityFacts,
  customer: CustomerFacts,
  usage: UsageByRule,
  options: EvaluationOptions,
): RuleEvaluation {
  checkOptions(options);
  const local = localMoment(activity.occurred_at, options.time_zone);
  const ordered = [...rules].sort(byPriorityThenId);
  const skipped: SkippedRule[] = [];
  const fired: { rule: EvaluableRule; room: Room | null }[] = [];

  let excludedBy: string | null = null;
  for (let start = 0; start < ordered.length;) {
    let end = start;
    while (end < ordered.length && ordered[end].priority === ordered[start].priority) end++;
    let exclusiveAtThisPriority: string | null = null;
    for (const rule of ordered.slice(start, end)) {
      const skip = (reason: SkipReason, extra: Partial<SkippedRule> = {}) =>
        skipped.push({ rule_id: rule.id, name: rule.name, reason, ...extra });
      const reason = ineligibility(rule, activity, customer, local);
      if (reason) {
        skip(reason);
        continue;
      }
      if (excludedBy !== null) {
        skip('excluded', { excluded_by: excludedBy });
        continue;
      }
      const room = roomOf(rule, usage[rule.id]);
      if (room !== null && room.remaining === 0) {
        skip('cap_reached', { cap: room.kind });
        continue;
      }
      fired.push({ rule, room });
      if (rule.stacking === 'exclusive') exclusiveAtThisPriority ??= rule.id;
    }
    excludedBy ??= exclusiveAtThisPriority;
    start = end;
  }

  const withinRoom = (points: number, room: Room | null): Pick<AppliedRule, 'points' | 'capped'> =>
    room !== null && points > room.remaining ? { points: room.remaining, capped: room.kind } : { points };

  const tierFactor = scaledFactor(options.tier_multiplier);
  const outcome = new Map<string, Pick<AppliedRule, 'points' | 'capped'>>();
  let baseSum = 0;
  for (const { rule, room } of fired) {
    if (rule.effect.type !== 'fixed' && rule.effect.type !== 'points_per_unit') continue;
    const result = withinRoom(basePoints(rule, activity, tierFactor, options.rounding), room);
    outcome.set(rule.id, result);
    baseSum += result.points;
  }
  for (const { rule, room } of fired) {
    const effect = rule.effect;
    if (effect.type === 'multiplier') {
      const extra = roundQuotient(
        BigInt(baseSum) * (scaledFactor(effect.factor) - BigInt(FACTOR_SCALE)),
        BigInt(FACTOR_SCALE),
        options.rounding,
      );
      outcome.set(rule.id, withinRoom(extra, room));
    } else if (effect.type === 'bonus') {
      outcome.set(rule.id, withinRoom(effect.points, room));
    }
  }

  const applied: AppliedRule[] = fired.map(({ rule }) => ({
    rule_id: rule.id,
    name: rule.name,
    ...outcome.get(rule.id)!,
  }));
  let total = applied.reduce((sum, entry) => sum + entry.points, 0);
  const limit = options.max_points_per_activity;
  // The excess comes off the rules lowest in the order: the ones the tenant ranked as least important.
  for (let index = applied.length - 1; limit > 0 && total > limit && index >= 0; index--) {
    const entry = applied[index];
    const cut = Math.min(entry.points, total - limit);
    if (cut === 0) continue;
    entry.points -= cut;
    entry.capped = 'max_per_activity';
    total -= cut;
  }
  return { points: total, applied, skipped };
}

/**
 * Points to take back, per rule, for a (partial) refund of a purchase: proportional to the share of
 * the amount refunded. Each rule's reversal is the difference of the rounded-down cumulative share
 * before and after this refund, so rounding never drifts: however the amount is refunded in parts,
 * the reversals add up to exactly the points the purchase earned once the whole amount is refunded,
 * and until then the customer keeps any fraction. Refunds past the original amount reverse nothing
 * more. Returned in the order given, with points ≥ 0 (to be subtracted by the ledger).
 */
export function refundReversal(
  originalPointsByRule: readonly { rule_id: string; points: number }[],
  originalAmount: number,
  refundedSoFar: number,
  refundAmount: number,
): { rule_id: string; points: number }[] {
  if (!Number.isInteger(originalAmount) || originalAmount <= 0) {
    throw new RangeError('originalAmount must be a whole number above 0');
  }
  const clamp = (amount: number) => BigInt(Math.min(originalAmount, wholeNonNegative(amount)));
  const before = clamp(refundedSoFar);
  const after = clamp(wholeNonNegative(refundedSoFar) + wholeNonNegative(refundAmount));
  const whole = BigInt(originalAmount);
  return originalPointsByRule.map(({ rule_id, points }) => {
    const earned = BigInt(wholeNonNegative(points));
    return { rule_id, points: Number((earned * after) / whole - (earned * before) / whole) };
  });
}
