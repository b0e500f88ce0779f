import fc from 'fast-check';
import { RuleConditions, RuleDefinition, RuleType, validateRuleDefinition } from './rule-definition';
import {
  ActivityFacts,
  CustomerFacts,
  EvaluableRule,
  EvaluationOptions,
  evaluateRules,
  refundReversal,
  RuleUsage,
  UsageByRule,
} from './rule-evaluator';

const TIERS = ['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2'];
const LOCATIONS = ['00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000b2'];
const CATEGORIES = ['coffee', 'tea', 'food'];
const SKUS = ['LATTE', 'SCONE', 'MUG'];
const SEGMENTS = ['vip', 'students'];
const CHANNELS = ['pos', 'web', 'app'];
const ACTIVITY_TYPES = ['purchase', 'check_in', 'refund', 'custom:visit'];
const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland'];
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([hour, minute]) => `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
const isoDate = fc
  .date({ min: new Date('2024-12-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
/** `usual` four times in five, else a value from `other`: realistic mixes in which most rules can fire. */
const mostly = <T, U>(usual: T, other: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
  fc.oneof({ arbitrary: fc.constant(usual), weight: 4 }, { arbitrary: other, weight: 1 });
const smallCap = mostly(0, fc.integer({ min: 1, max: 300 }));

/** Up to three conditions per rule: with many at once almost no rule would ever fire. */
const conditionsArb = fc
  .record({
    min_amount: fc.integer({ min: 0, max: 5000 }),
    max_amount: fc.integer({ min: 5000, max: 20000 }),
    currency: fc.constantFrom('GBP', 'EUR'),
    categories: fc.subarray(CATEGORIES, { minLength: 1 }),
    skus: fc.subarray(SKUS, { minLength: 1 }),
    channels: fc.subarray(CHANNELS, { minLength: 1 }),
    days_of_week: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
    time_window: fc
      .tuple(hhmm, hhmm)
      .filter(([from, to]) => from !== to)
      .map(([from, to]) => ({ from, to })),
    tier_ids: fc.subarray(TIERS, { minLength: 1 }),
    segments: fc.subarray(SEGMENTS, { minLength: 1 }),
    location_ids: fc.subarray(LOCATIONS, { minLength: 1 }),
    first_activity_only: fc.boolean(),
    every_nth: fc.integer({ min: 0, max: 3 }),
  })
  .chain((all) =>
    fc
      .shuffledSubarray(Object.keys(all) as (keyof typeof all)[], { maxLength: 3 })
      .map((keys) => Object.fromEntries(keys.map((key) => [key, all[key]])) as RuleConditions),
  );

const effectArb = fc.oneof(
  fc.record({ type: fc.constant('fixed' as const), points: fc.integer({ min: 1, max: 500 }) }),
  fc.record({
    type: fc.constant('points_per_unit' as const),
    points: fc.integer({ min: 1, max: 20 }),
    per: fc.constantFrom(1, 50, 100, 250),
  }),
  fc.record({
    type: fc.constant('multiplier' as const),
    factor: fc.integer({ min: 10_001, max: 100_000 }).map((scaled) => scaled / 10_000),
  }),
  fc.record({ type: fc.constant('bonus' as const), points: fc.integer({ min: 1, max: 500 }) }),
);

const definitionArb: fc.Arbitrary<RuleDefinition> = fc
  .record({
    name: fc.constantFrom('Breakfast', 'Double days', 'Welcome'),
    program_id: fc.constant(null),
    rule_type: mostly<RuleType, RuleType>('purchase', fc.constantFrom('check_in', 'refund', 'custom')),
    custom_type: fc.constant(null),
    priority: fc.integer({ min: 0, max: 3 }),
    stacking: fc.constantFrom('stackable', 'exclusive'),
    conditions: conditionsArb,
    effect: effectArb,
    caps: fc.record({
      per_customer: fc.record({ day: smallCap, week: smallCap, month: smallCap, lifetime: smallCap }),
      budget_points: smallCap,
    }),
    start_date: mostly(null, isoDate),
    end_date: mostly(null, isoDate),
    active: mostly(true, fc.constant(false)),
  })
  .map((rule) => {
    // Keep the date range valid, as the validator would require.
    if (rule.start_date && rule.end_date && rule.start_date > rule.end_date) {
      return { ...rule, start_date: rule.end_date, end_date: rule.start_date };
    }
    return rule;
  });

const rulesArb = fc.uniqueArray(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 8 }).chain((ids) =>
  fc.tuple(...ids.map(() => definitionArb)).map((definitions) =>
    definitions.map((definition, index): EvaluableRule => ({
      ...definition,
      id: `rule-${String(ids[index]).padStart(3, '0')}`,
    })),
  ),
);

const activityArb: fc.Arbitrary<ActivityFacts> = fc.record({
  type: mostly('purchase', fc.constantFrom(...ACTIVITY_TYPES)),
  amount: fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: undefined }),
  currency: fc.constantFrom('GBP', 'EUR'),
  items: fc.array(
    fc.record({
      sku: fc.constantFrom(...SKUS),
      category: fc.constantFrom(...CATEGORIES),
      quantity: fc.integer({ min: 1, max: 3 }),
      amount: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
    }),
    { maxLength: 4 },
  ),
  channel: fc.constantFrom(...CHANNELS),
  location_id: fc.constantFrom(...LOCATIONS),
  occurred_at: fc.date({
    min: new Date('2024-12-01T00:00:00Z'),
    max: new Date('2025-12-31T00:00:00Z'),
    noInvalidDate: true,
  }),
});

const customerArb: fc.Arbitrary<CustomerFacts> = fc.record({
  tier_id: fc.option(fc.constantFrom(...TIERS), { nil: null }),
  segments: fc.subarray(SEGMENTS),
  prior_count_by_type: fc.dictionary(fc.constantFrom(...ACTIVITY_TYPES), fc.integer({ min: 0, max: 7 })),
});

const usageFor = (rules: EvaluableRule[]): fc.Arbitrary<UsageByRule> =>
  fc
    .tuple(
      ...rules.map(() =>
        fc.option(
          fc.record({
            day: fc.integer({ min: 0, max: 400 }),
            week: fc.integer({ min: 0, max: 400 }),
            month: fc.integer({ min: 0, max: 400 }),
            lifetime: fc.integer({ min: 0, max: 400 }),
            budget_used: fc.integer({ min: 0, max: 400 }),
          }),
          { nil: undefined },
        ),
      ),
    )
    .map((entries) => Object.fromEntries(rules.map((rule, index) => [rule.id, entries[index]])));

const optionsArb: fc.Arbitrary<EvaluationOptions> = fc.record({
  time_zone: fc.constantFrom(...ZONES),
  rounding: fc.constantFrom('floor', 'round', 'ceil'),
  max_points_per_activity: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
  tier_multiplier: fc.constantFrom(1, 1.25, 1.5, 2, 3.3333),
});

const scenarioArb = rulesArb.chain((rules) =>
  fc.record({
    rules: fc.constant(rules),
    activity: activityArb,
    customer: customerArb,
    usage: usageFor(rules),
    options: optionsArb,
    shuffleSeed: fc.integer(),
  }),
);

/** Remaining room of a rule under the usage snapshot, as the contract defines it (Infinity = none). */
function remainingRoom(rule: EvaluableRule, usage: Partial<RuleUsage> | undefined): number {
  const pairs: [number, number][] = [
    [rule.caps.per_customer.day, usage?.day ?? 0],
    [rule.caps.per_customer.week, usage?.week ?? 0],
    [rule.caps.per_customer.month, usage?.month ?? 0],
    [rule.caps.per_customer.lifetime, usage?.lifetime ?? 0],
    [rule.caps.budget_points, usage?.budget_used ?? 0],
  ];
  return Math.min(...pairs.filter(([cap]) => cap > 0).map(([cap, used]) => Math.max(0, cap - used)));
}

/** A deterministic shuffle (mulberry32), so that a failure replays from fast-check's seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}

const RUNS = { numRuns: 500 };

describe('evaluateRules properties', () => {
  it('generates scenarios that exercise firing, caps, exclusion and the activity limit', () => {
    const results = fc
      .sample(scenarioArb, { numRuns: 2000, seed: 42 })
      .map(({ rules, activity, customer, usage, options }) => evaluateRules(rules, activity, customer, usage, options));
    const share = (test: (result: (typeof results)[number]) => boolean) => results.filter(test).length / results.length;
    expect(share((result) => result.points > 0)).toBeGreaterThan(0.25);
    expect(
      share((result) => result.applied.some((entry) => entry.capped && entry.capped !== 'max_per_activity')),
    ).toBeGreaterThan(0.05);
    expect(share((result) => result.applied.some((entry) => entry.capped === 'max_per_activity'))).toBeGreaterThan(
      0.02,
    );
    expect(share((result) => result.skipped.some((entry) => entry.reason === 'cap_reached'))).toBeGreaterThan(0.05);
    expect(share((result) => result.skipped.some((entry) => entry.reason === 'excluded'))).toBeGreaterThan(0.05);
  });

  it('generates only rules that the validator accepts unchanged', () => {
    fc.assert(
      fc.property(definitionArb, (definition) => {
        expect(validateRuleDefinition(definition)).toEqual({ value: definition, errors: [] });
      }),
      { numRuns: 200 },
    );
  });

  it('awards whole, non-negative points that add up, and accounts for every rule once', () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, activity, customer, usage, options }) => {
        const result = evaluateRules(rules, activity, customer, usage, options);
        expect(Number.isInteger(result.points) && result.points >= 0).toBe(true);
        for (const entry of result.applied) expect(Number.isInteger(entry.points) && entry.points >= 0).toBe(true);
        expect(result.applied.reduce((sum, entry) => sum + entry.points, 0)).toBe(result.points);
        const seen = [...result.applied.map((entry) => entry.rule_id), ...result.skipped.map((entry) => entry.rule_id)];
        expect(seen.sort()).toEqual(rules.map((rule) => rule.id).sort());
      }),
      RUNS,
    );
  });

  it('never gives a rule more than its remaining per-customer caps or budget', () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, activity, customer, usage, options }) => {
        const result = evaluateRules(rules, activity, customer, usage, options);
        for (const entry of result.applied) {
          const rule = rules.find((candidate) => candidate.id === entry.rule_id)!;
          expect(entry.points).toBeLessThanOrEqual(remainingRoom(rule, usage[rule.id]));
        }
      }),
      RUNS,
    );
  });

  it('never exceeds max_points_per_activity when it is set', () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, activity, customer, usage, options }) => {
        const result = evaluateRules(rules, activity, customer, usage, options);
        if (options.max_points_per_activity > 0) {
          expect(result.points).toBeLessThanOrEqual(options.max_points_per_activity);
        }
      }),
      RUNS,
    );
  });

  it('fires no lower-priority rule once an exclusive rule has fired', () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, activity, customer, usage, options }) => {
        const result = evaluateRules(rules, activity, customer, usage, options);
        const firedRules = result.applied.map((entry) => rules.find((rule) => rule.id === entry.rule_id)!);
        for (const exclusive of firedRules.filter((rule) => rule.stacking === 'exclusive')) {
          expect(firedRules.filter((rule) => rule.priority < exclusive.priority)).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('is deterministic and does not depend on the order the rules come in', () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, activity, customer, usage, options, shuffleSeed }) => {
        const result = evaluateRules(rules, activity, customer, usage, options);
        expect(evaluateRules(rules, activity, customer, usage, options)).toEqual(result);
        expect(evaluateRules(shuffled(rules, shuffleSeed), activity, customer, usage, options)).toEqual(result);
      }),
      RUNS,
    );
  });

  it('gives no fewer points for a larger amount when no rule has a maximum amount or is exclusive', () => {
    const stackableRules = rulesArb.map((rules) =>
      rules.map((rule) => {
        const { max_amount: _max, ...conditions } = rule.conditions;
        return { ...rule, stacking: 'stackable' as const, conditions };
      }),
    );
    fc.assert(
      fc.property(
        stackableRules.chain((rules) =>
          fc.record({
            rules: fc.constant(rules),
            activity: activityArb,
            customer: customerArb,
            usage: usageFor(rules),
            options: optionsArb,
            amounts: fc.tuple(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 30_000 })),
          }),
        ),
        ({ rules, activity, customer, usage, options, amounts }) => {
          const [smaller, larger] = [Math.min(...amounts), Math.max(...amounts)];
          const at = (amount: number) => evaluateRules(rules, { ...activity, amount }, customer, usage, options).points;
          expect(at(smaller)).toBeLessThanOrEqual(at(larger));
        },
      ),
      RUNS,
    );
  });

  it('makes a points_per_unit rule monotone in the amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.constantFrom('floor', 'round', 'ceil'),
        fc.constantFrom(1, 1.1, 1.5, 2.75),
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.integer({ min: 0, max: 10 ** 12 }),
        (points, per, rounding, tierMultiplier, first, second) => {
          const rule: EvaluableRule = {
            ...validateRuleDefinition({
              name: 'p',
              rule_type: 'purchase',
              effect: { type: 'points_per_unit', points, per },
            }).value!,
            id: 'p',
          };
          const options = { time_zone: 'UTC', rounding, max_points_per_activity: 0, tier_multiplier: tierMultiplier };
          const at = (amount: number) =>
            evaluateRules(
              [rule],
              { type: 'purchase', amount, occurred_at: new Date(0) },
              { tier_id: null, segments: [], prior_count_by_type: {} },
              {},
              options,
            ).points;
          const [smaller, larger] = [Math.min(first, second), Math.max(first, second)];
          expect(at(smaller)).toBeLessThanOrEqual(at(larger));
        },
      ),
      RUNS,
    );
  });
});

describe('refundReversal properties', () => {
  /** An amount and a way of refunding it in parts that add up to it exactly. */
  const refundPlan = fc
    .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 12 }))
    .map(([amount, weights]) => {
      // Cut points spread by the weights; the last part takes whatever is left.
      const totalWeight = weights.reduce((sum, weight) => sum + weight, 0) + 1;
      let cumulative = 0;
      const cuts = weights.map((weight) => {
        cumulative += weight;
        return Math.floor((amount * cumulative) / totalWeight);
      });
      const parts = [...cuts, amount].map((cut, index, all) => cut - (index === 0 ? 0 : all[index - 1]));
      return { amount, parts };
    });
  const earnedArb = fc.array(fc.record({ rule_id: fc.uuid(), points: fc.integer({ min: 0, max: 1_000_000 }) }), {
    minLength: 1,
    maxLength: 5,
  });

  it('reverses exactly the points earned, per rule, once refunds add up to the amount', () => {
    fc.assert(
      fc.property(earnedArb, refundPlan, (earned, { amount, parts }) => {
        const reversed = earned.map(() => 0);
        let refundedSoFar = 0;
        for (const part of parts) {
          const reversal = refundReversal(earned, amount, refundedSoFar, part);
          reversal.forEach((entry, index) => {
            expect(entry.rule_id).toBe(earned[index].rule_id);
            expect(Number.isInteger(entry.points) && entry.points >= 0).toBe(true);
            reversed[index] += entry.points;
            // Never more than the share refunded so far, rounded up.
            expect(reversed[index]).toBeLessThanOrEqual(
              Math.ceil((earned[index].points * (refundedSoFar + part)) / amount),
            );
          });
          refundedSoFar += part;
        }
        expect(reversed).toEqual(earned.map((entry) => entry.points));
      }),
      RUNS,
    );
  });

  it('reverses nothing more once the whole amount has been refunded', () => {
    fc.assert(
      fc.property(
        earnedArb,
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (earned, amount, extra) => {
          const reversal = refundReversal(earned, amount, amount, extra);
          expect(reversal.every((entry) => entry.points === 0)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});
