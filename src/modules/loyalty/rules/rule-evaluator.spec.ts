import { validateRuleDefinition } from './rule-definition';
import {
  ActivityFacts,
  CustomerFacts,
  EvaluableRule,
  EvaluationOptions,
  evaluateRules,
  refundReversal,
  UsageByRule,
} from './rule-evaluator';

const GOLD = '00000000-0000-4000-8000-00000000000a';
const SILVER = '00000000-0000-4000-8000-00000000000b';
const SHOP = '00000000-0000-4000-8000-0000000000c1';
const OTHER_SHOP = '00000000-0000-4000-8000-0000000000c2';

/** A rule through the real validator, so that tests only use shapes admins can save. */
function rule(id: string, definition: Record<string, unknown> = {}): EvaluableRule {
  const { value, errors } = validateRuleDefinition({
    name: `rule ${id}`,
    rule_type: 'purchase',
    effect: { type: 'fixed', points: 10 },
    ...definition,
  });
  if (!value) throw new Error(`invalid test rule ${id}: ${JSON.stringify(errors)}`);
  return { ...value, id };
}

// Wednesday 15 January 2025, 09:30 in London (GMT, so also 09:30 UTC).
const purchase = (overrides: Partial<ActivityFacts> = {}): ActivityFacts => ({
  type: 'purchase',
  amount: 1250,
  currency: 'GBP',
  items: [
    { sku: 'LATTE', category: 'coffee', quantity: 2, amount: 700 },
    { sku: 'BAGEL', category: 'food', quantity: 1, amount: 550 },
  ],
  channel: 'pos',
  location_id: SHOP,
  occurred_at: new Date('2025-01-15T09:30:00Z'),
  ...overrides,
});

const customer = (overrides: Partial<CustomerFacts> = {}): CustomerFacts => ({
  tier_id: null,
  segments: [],
  prior_count_by_type: { purchase: 4 },
  ...overrides,
});

const options = (overrides: Partial<EvaluationOptions> = {}): EvaluationOptions => ({
  time_zone: 'Europe/London',
  rounding: 'floor',
  max_points_per_activity: 0,
  tier_multiplier: 1,
  ...overrides,
});

function evaluate(
  rules: EvaluableRule[],
  activity: Partial<ActivityFacts> = {},
  extra: { customer?: Partial<CustomerFacts>; usage?: UsageByRule; options?: Partial<EvaluationOptions> } = {},
) {
  return evaluateRules(rules, purchase(activity), customer(extra.customer), extra.usage ?? {}, options(extra.options));
}

/** The reason a single rule was skipped, or 'fired'. */
function outcome(
  definition: Record<string, unknown>,
  activity: Partial<ActivityFacts> = {},
  extra: Parameters<typeof evaluate>[2] = {},
) {
  const result = evaluate([rule('r', definition)], activity, extra);
  return result.applied.length === 1 ? 'fired' : result.skipped[0].reason;
}

describe('evaluateRules', () => {
  describe('effects', () => {
    it('gives a fixed effect its points', () => {
      expect(evaluate([rule('a', { effect: { type: 'fixed', points: 50 } })])).toEqual({
        points: 50,
        applied: [{ rule_id: 'a', name: 'rule a', points: 50 }],
        skipped: [],
      });
    });

    it.each([
      ['floor', 12],
      ['round', 13],
      ['ceil', 13],
    ] as const)('rounds points_per_unit once with %s', (rounding, points) => {
      // 1250 minor units at 1 point per 100 = 12.5 points.
      const perPound = rule('a', { effect: { type: 'points_per_unit', points: 1, per: 100 } });
      expect(evaluate([perPound], {}, { options: { rounding } }).points).toBe(points);
    });

    it('rounds half up and only fractions up under ceil', () => {
      const perPound = rule('a', { effect: { type: 'points_per_unit', points: 1, per: 100 } });
      expect(evaluate([perPound], { amount: 1249 }, { options: { rounding: 'round' } }).points).toBe(12);
      expect(evaluate([perPound], { amount: 1200 }, { options: { rounding: 'ceil' } }).points).toBe(12);
      expect(evaluate([perPound], { amount: 1201 }, { options: { rounding: 'ceil' } }).points).toBe(13);
    });

    it('earns points_per_unit on the matching items only under an item filter', () => {
      const coffee = rule('a', {
        conditions: { categories: ['coffee'] },
        effect: { type: 'points_per_unit', points: 2, per: 100 },
      });
      expect(evaluate([coffee]).points).toBe(14);
      const noItemAmounts = purchase().items!.map(({ amount: _amount, ...item }) => item);
      expect(evaluate([coffee], { items: noItemAmounts }).applied).toEqual([
        { rule_id: 'a', name: 'rule a', points: 0 },
      ]);
    });

    it('earns 0 points_per_unit points without an amount, and never negative ones', () => {
      const perPound = rule('a', { effect: { type: 'points_per_unit', points: 1, per: 100 } });
      expect(evaluate([perPound], { amount: null }).points).toBe(0);
      expect(evaluate([perPound], { amount: -5000 }).points).toBe(0);
    });

    it('multiplies the fixed and points_per_unit points, not the bonuses', () => {
      const result = evaluate([
        rule('base', { priority: 10, effect: { type: 'points_per_unit', points: 1, per: 100 } }),
        rule('welcome', { priority: 10, effect: { type: 'fixed', points: 8 } }),
        rule('double', { priority: 5, effect: { type: 'multiplier', factor: 2 } }),
        rule('birthday', { priority: 1, effect: { type: 'bonus', points: 100 } }),
      ]);
      expect(result.applied).toEqual([
        { rule_id: 'base', name: 'rule base', points: 12 },
        { rule_id: 'welcome', name: 'rule welcome', points: 8 },
        { rule_id: 'double', name: 'rule double', points: 20 },
        { rule_id: 'birthday', name: 'rule birthday', points: 100 },
      ]);
      expect(result.points).toBe(140);
    });

    it('adds several multipliers rather than compounding them', () => {
      const result = evaluate([
        rule('base', { effect: { type: 'fixed', points: 100 } }),
        rule('double', { effect: { type: 'multiplier', factor: 2 } }),
        rule('half-again', { effect: { type: 'multiplier', factor: 1.5 } }),
      ]);
      expect(result.points).toBe(250);
      expect(result.applied.map((entry) => entry.points)).toEqual([100, 100, 50]);
    });

    it('computes fractional factors exactly (1.1 × 100 is 110 even when rounding up)', () => {
      const result = evaluate(
        [
          rule('base', { effect: { type: 'fixed', points: 100 } }),
          rule('m', { effect: { type: 'multiplier', factor: 1.1 } }),
        ],
        {},
        { options: { rounding: 'ceil' } },
      );
      expect(result.points).toBe(110);
    });
  });

  describe('tier multiplier', () => {
    it('scales fixed and points_per_unit points before rounding, and not bonuses', () => {
      const result = evaluate(
        [
          rule('ppu', { effect: { type: 'points_per_unit', points: 1, per: 100 } }),
          rule('fixed', { effect: { type: 'fixed', points: 3 } }),
          rule('bonus', { effect: { type: 'bonus', points: 10 } }),
        ],
        { amount: 150 },
        { options: { tier_multiplier: 1.5 } },
      );
      // 1.5 × 1.5 = 2.25 → 2 (rounded once, not 1 × 1.5 → 1); 3 × 1.5 = 4.5 → 4; bonus stays 10.
      expect(result.applied.map((entry) => [entry.rule_id, entry.points])).toEqual([
        ['bonus', 10],
        ['fixed', 4],
        ['ppu', 2],
      ]);
    });

    it('is applied before each rule’s caps, so a cap holds whatever the tier', () => {
      const capped = rule('a', { effect: { type: 'fixed', points: 100 }, caps: { per_customer: { day: 120 } } });
      const result = evaluate([capped], {}, { options: { tier_multiplier: 2 } });
      expect(result.applied).toEqual([{ rule_id: 'a', name: 'rule a', points: 120, capped: 'day' }]);
    });

    it('reaches multiplier rules through the base points they multiply', () => {
      const result = evaluate(
        [
          rule('base', { effect: { type: 'fixed', points: 100 } }),
          rule('m', { effect: { type: 'multiplier', factor: 2 } }),
        ],
        {},
        { options: { tier_multiplier: 1.25 } },
      );
      expect(result.applied.map((entry) => entry.points)).toEqual([125, 125]);
    });

    it('refuses a multiplier below 1 and bad limits, which are caller bugs', () => {
      expect(() => evaluate([rule('a')], {}, { options: { tier_multiplier: 0.5 } })).toThrow(RangeError);
      expect(() => evaluate([rule('a')], {}, { options: { max_points_per_activity: -1 } })).toThrow(RangeError);
      expect(() => evaluate([rule('a')], { occurred_at: new Date('nope') })).toThrow(RangeError);
      expect(() => evaluate([rule('a')], {}, { options: { time_zone: 'Mars/Olympus' } })).toThrow(RangeError);
    });
  });

  describe('conditions', () => {
    it('fires inactive rules never', () => {
      expect(outcome({ active: false })).toBe('inactive');
    });

    it('matches the activity type, custom rules by their custom_type', () => {
      expect(outcome({ rule_type: 'check_in' })).toBe('type_mismatch');
      expect(outcome({ rule_type: 'custom', custom_type: 'app_review' }, { type: 'custom:app_review' })).toBe('fired');
      expect(outcome({ rule_type: 'custom', custom_type: 'app_review' }, { type: 'custom:survey' })).toBe(
        'type_mismatch',
      );
      expect(outcome({ rule_type: 'custom' }, { type: 'custom:anything' })).toBe('fired');
      expect(outcome({ rule_type: 'custom' }, { type: 'survey' })).toBe('type_mismatch');
    });

    it('reads start and end dates inclusively, as local dates', () => {
      // 23:30 UTC on 31 March is 00:30 on 1 April in London (BST).
      const lateEvening = { occurred_at: new Date('2025-03-31T23:30:00Z') };
      expect(outcome({ start_date: '2025-04-01' }, lateEvening)).toBe('fired');
      expect(outcome({ end_date: '2025-03-31' }, lateEvening)).toBe('ended');
      expect(outcome({ start_date: '2025-04-02' }, lateEvening)).toBe('not_started');
      expect(outcome({ start_date: '2025-04-01', end_date: '2025-04-01' }, lateEvening)).toBe('fired');
      expect(outcome({ end_date: '2025-03-31' }, lateEvening, { options: { time_zone: 'UTC' } })).toBe('fired');
    });

    it('checks the basket amount against min_amount and max_amount, inclusively', () => {
      expect(outcome({ conditions: { min_amount: 1250 } })).toBe('fired');
      expect(outcome({ conditions: { min_amount: 1251 } })).toBe('below_min_amount');
      expect(outcome({ conditions: { max_amount: 1250 } })).toBe('fired');
      expect(outcome({ conditions: { max_amount: 1249 } })).toBe('above_max_amount');
      expect(outcome({ conditions: { min_amount: 0 } }, { amount: undefined })).toBe('amount_missing');
    });

    it('checks the currency', () => {
      expect(outcome({ conditions: { currency: 'GBP' } })).toBe('fired');
      expect(outcome({ conditions: { currency: 'EUR' } })).toBe('currency_mismatch');
      expect(outcome({ conditions: { currency: 'GBP' } }, { currency: null })).toBe('currency_mismatch');
    });

    it('needs an item that passes every item filter', () => {
      expect(outcome({ conditions: { categories: ['food', 'tea'] } })).toBe('fired');
      expect(outcome({ conditions: { categories: ['tea'] } })).toBe('no_matching_item');
      expect(outcome({ conditions: { skus: ['LATTE'] } })).toBe('fired');
      expect(outcome({ conditions: { skus: ['MOCHA'] } })).toBe('no_matching_item');
      expect(outcome({ conditions: { categories: ['coffee'], skus: ['LATTE'] } })).toBe('fired');
      expect(outcome({ conditions: { categories: ['coffee'], skus: ['BAGEL'] } })).toBe('no_matching_item');
      expect(outcome({ conditions: { categories: ['coffee'] } }, { items: undefined })).toBe('no_matching_item');
      expect(outcome({ conditions: { categories: [] } }, { items: undefined })).toBe('fired');
    });

    it('checks the channel and the location', () => {
      expect(outcome({ conditions: { channels: ['pos', 'web'] } })).toBe('fired');
      expect(outcome({ conditions: { channel: 'web' } })).toBe('channel_mismatch');
      expect(outcome({ conditions: { channel: 'pos' } }, { channel: null })).toBe('channel_mismatch');
      expect(outcome({ conditions: { location_ids: [SHOP] } }, { location_id: SHOP.toUpperCase() })).toBe('fired');
      expect(outcome({ conditions: { location_ids: [OTHER_SHOP] } })).toBe('location_mismatch');
      expect(outcome({ conditions: { location_ids: [SHOP] } }, { location_id: null })).toBe('location_mismatch');
    });

    it('checks the tier and the segments of the customer', () => {
      expect(outcome({ conditions: { tier_ids: [GOLD] } }, {}, { customer: { tier_id: GOLD } })).toBe('fired');
      expect(outcome({ conditions: { tier_ids: [GOLD] } }, {}, { customer: { tier_id: SILVER } })).toBe(
        'tier_mismatch',
      );
      expect(outcome({ conditions: { tier_ids: [GOLD] } }, {}, { customer: { tier_id: null } })).toBe('tier_mismatch');
      expect(
        outcome({ conditions: { segments: ['vip', 'students'] } }, {}, { customer: { segments: ['students'] } }),
      ).toBe('fired');
      expect(outcome({ conditions: { segments: ['vip'] } }, {}, { customer: { segments: ['students'] } })).toBe(
        'segment_mismatch',
      );
    });

    it('fires first_activity_only on the first activity of the type only', () => {
      const first = { conditions: { first_activity_only: true } };
      expect(outcome(first, {}, { customer: { prior_count_by_type: {} } })).toBe('fired');
      expect(outcome(first, {}, { customer: { prior_count_by_type: { purchase: 0, check_in: 9 } } })).toBe('fired');
      expect(outcome(first, {}, { customer: { prior_count_by_type: { purchase: 1 } } })).toBe('not_first_activity');
      expect(
        outcome(
          { conditions: { first_activity_only: false } },
          {},
          { customer: { prior_count_by_type: { purchase: 1 } } },
        ),
      ).toBe('fired');
    });

    it('fires every_nth on the n-th, 2n-th, … activity of the type', () => {
      const fired = [0, 1, 2, 3, 4, 5, 6, 7].filter(
        (prior) =>
          outcome({ conditions: { every_nth: 3 } }, {}, { customer: { prior_count_by_type: { purchase: prior } } }) ===
          'fired',
      );
      // prior 2 → this is the 3rd purchase; prior 5 → the 6th.
      expect(fired).toEqual([2, 5]);
      expect(outcome({ conditions: { every_nth: 0 } })).toBe('fired');
      expect(outcome({ conditions: { every_nth: 1 } })).toBe('fired');
      expect(
        outcome(
          { rule_type: 'custom', conditions: { every_nth: 2 } },
          { type: 'custom:visit' },
          { customer: { prior_count_by_type: { purchase: 1, 'custom:visit': 3 } } },
        ),
      ).toBe('fired');
    });
  });

  describe('time zone', () => {
    const breakfast = { conditions: { time_window: { from: '07:00', to: '11:00' } } };

    it('reads a 07:00–11:00 window on the London wall clock across the change to summer time', () => {
      // London moves from GMT to BST on 30 March 2025: the same UTC times fall an hour later locally.
      expect(outcome(breakfast, { occurred_at: new Date('2025-03-29T06:30:00Z') })).toBe('outside_time_window');
      expect(outcome(breakfast, { occurred_at: new Date('2025-03-31T06:30:00Z') })).toBe('fired');
      expect(outcome(breakfast, { occurred_at: new Date('2025-03-29T10:30:00Z') })).toBe('fired');
      expect(outcome(breakfast, { occurred_at: new Date('2025-03-31T10:30:00Z') })).toBe('outside_time_window');
      // And back in the autumn (26 October 2025).
      expect(outcome(breakfast, { occurred_at: new Date('2025-10-25T06:00:00Z') })).toBe('fired');
      expect(outcome(breakfast, { occurred_at: new Date('2025-10-27T06:00:00Z') })).toBe('outside_time_window');
    });

    it('treats the window as half-open: 07:00 is in, 11:00 is out', () => {
      expect(outcome(breakfast, { occurred_at: new Date('2025-01-15T07:00:00Z') })).toBe('fired');
      expect(outcome(breakfast, { occurred_at: new Date('2025-01-15T10:59:59Z') })).toBe('fired');
      expect(outcome(breakfast, { occurred_at: new Date('2025-01-15T11:00:00Z') })).toBe('outside_time_window');
      expect(outcome(breakfast, { occurred_at: new Date('2025-01-15T06:59:59Z') })).toBe('outside_time_window');
    });

    it('wraps a 22:00–02:00 window past midnight, in the tenant’s zone', () => {
      const lateNight = { conditions: { time_window: { from: '22:00', to: '02:00' } } };
      const inNewYork = (iso: string) =>
        outcome(lateNight, { occurred_at: new Date(iso) }, { options: { time_zone: 'America/New_York' } });
      expect(inNewYork('2025-01-16T03:00:00Z')).toBe('fired'); // 22:00 local
      expect(inNewYork('2025-01-16T05:00:00Z')).toBe('fired'); // 00:00
      expect(inNewYork('2025-01-16T06:59:00Z')).toBe('fired'); // 01:59
      expect(inNewYork('2025-01-16T07:00:00Z')).toBe('outside_time_window'); // 02:00
      expect(inNewYork('2025-01-16T02:59:00Z')).toBe('outside_time_window'); // 21:59
      expect(inNewYork('2025-01-15T23:00:00Z')).toBe('outside_time_window'); // 18:00, though 23:00 UTC
    });

    it('reads the weekday locally (Monday = 1)', () => {
      // Sunday 12 January 2025, 20:00 UTC is already Monday 09:00 in Auckland.
      const sundayEveningUtc = { occurred_at: new Date('2025-01-12T20:00:00Z') };
      const weekdays = { conditions: { days_of_week: [1, 2, 3, 4, 5] } };
      expect(outcome(weekdays, sundayEveningUtc, { options: { time_zone: 'Pacific/Auckland' } })).toBe('fired');
      expect(outcome(weekdays, sundayEveningUtc, { options: { time_zone: 'UTC' } })).toBe('day_of_week');
      expect(outcome({ conditions: { days_of_week: [7] } }, sundayEveningUtc, { options: { time_zone: 'UTC' } })).toBe(
        'fired',
      );
    });
  });

  describe('priority and exclusivity', () => {
    it('lists rules by priority, higher first, ties by id, whatever the input order', () => {
      const rules = [rule('b', { priority: 1 }), rule('c', { priority: 5 }), rule('a', { priority: 1 })];
      const result = evaluate(rules);
      expect(result.applied.map((entry) => entry.rule_id)).toEqual(['c', 'a', 'b']);
      expect(evaluate([...rules].reverse())).toEqual(result);
    });

    it('stops every lower-priority rule once an exclusive rule fires, but not its peers', () => {
      const result = evaluate([
        rule('promo', { priority: 10, stacking: 'exclusive', effect: { type: 'fixed', points: 30 } }),
        rule('peer', { priority: 10, effect: { type: 'fixed', points: 5 } }),
        rule('standard', { priority: 1, effect: { type: 'fixed', points: 10 } }),
        rule('checkin', { priority: 1, rule_type: 'check_in' }),
      ]);
      expect(result.points).toBe(35);
      expect(result.skipped).toEqual([
        { rule_id: 'checkin', name: 'rule checkin', reason: 'type_mismatch' },
        { rule_id: 'standard', name: 'rule standard', reason: 'excluded', excluded_by: 'promo' },
      ]);
    });

    it('lets lower rules fire when the exclusive rule does not', () => {
      const result = evaluate([
        rule('promo', { priority: 10, stacking: 'exclusive', conditions: { categories: ['tea'] } }),
        rule('standard', { priority: 1 }),
      ]);
      expect(result.applied.map((entry) => entry.rule_id)).toEqual(['standard']);
    });

    it('hands earning back to lower rules once an exclusive promotion’s cap or budget is used up', () => {
      const promo = rule('promo', { priority: 10, stacking: 'exclusive', caps: { budget_points: 1000 } });
      const standard = rule('standard', { priority: 1 });
      expect(evaluate([promo, standard], {}, { usage: { promo: { budget_used: 1000 } } })).toEqual({
        points: 10,
        applied: [{ rule_id: 'standard', name: 'rule standard', points: 10 }],
        skipped: [{ rule_id: 'promo', name: 'rule promo', reason: 'cap_reached', cap: 'budget' }],
      });
    });

    it('still excludes when the exclusive rule fires for 0 points', () => {
      const promo = rule('promo', {
        priority: 10,
        stacking: 'exclusive',
        effect: { type: 'points_per_unit', points: 1, per: 100_000 },
      });
      const result = evaluate([promo, rule('standard')]);
      expect(result.applied).toEqual([{ rule_id: 'promo', name: 'rule promo', points: 0 }]);
      expect(result.skipped[0]).toMatchObject({ rule_id: 'standard', reason: 'excluded' });
    });
  });

  describe('caps', () => {
    const capped = (caps: Record<string, unknown>) => rule('a', { effect: { type: 'fixed', points: 50 }, caps });

    it('gives no more than the least remaining cap, naming it', () => {
      const rules = [capped({ per_customer: { day: 100, week: 200, month: 0, lifetime: 1000 } })];
      expect(evaluate(rules, {}, { usage: { a: { day: 70, week: 100, lifetime: 0 } } }).applied).toEqual([
        { rule_id: 'a', name: 'rule a', points: 30, capped: 'day' },
      ]);
      expect(evaluate(rules, {}, { usage: { a: { day: 0, week: 180 } } }).applied).toEqual([
        { rule_id: 'a', name: 'rule a', points: 20, capped: 'week' },
      ]);
      expect(evaluate(rules, {}, { usage: { a: { lifetime: 990 } } }).applied).toEqual([
        { rule_id: 'a', name: 'rule a', points: 10, capped: 'lifetime' },
      ]);
      expect(evaluate(rules, {}, { usage: { a: { day: 50 } } }).applied).toEqual([
        { rule_id: 'a', name: 'rule a', points: 50 },
      ]);
    });

    it('treats 0 as no cap, and usage beyond the cap as nothing left', () => {
      expect(evaluate([capped({ per_customer: { month: 0 } })], {}, { usage: { a: { month: 10 ** 9 } } }).points).toBe(
        50,
      );
      expect(evaluate([capped({ per_customer: { month: 40 } })], {}, { usage: { a: { month: 45 } } }).skipped).toEqual([
        { rule_id: 'a', name: 'rule a', reason: 'cap_reached', cap: 'month' },
      ]);
    });

    it('spends no more than the remaining budget', () => {
      expect(
        evaluate([capped({ budget_points: 10_000 })], {}, { usage: { a: { budget_used: 9_980 } } }).applied,
      ).toEqual([{ rule_id: 'a', name: 'rule a', points: 20, capped: 'budget' }]);
    });

    it('caps a multiplier’s share and a bonus by their own caps', () => {
      const result = evaluate([
        rule('base', { effect: { type: 'fixed', points: 100 } }),
        rule('triple', { effect: { type: 'multiplier', factor: 3 }, caps: { per_customer: { day: 50 } } }),
        rule('bonus', { effect: { type: 'bonus', points: 100 }, caps: { budget_points: 30 } }),
      ]);
      expect(result.applied.map((entry) => [entry.rule_id, entry.points, entry.capped])).toEqual([
        ['base', 100, undefined],
        ['bonus', 30, 'budget'],
        ['triple', 50, 'day'],
      ]);
    });

    it('multiplies the base points actually awarded, after their caps', () => {
      const result = evaluate(
        [
          rule('base', { effect: { type: 'fixed', points: 100 }, caps: { per_customer: { day: 100 } } }),
          rule('double', { effect: { type: 'multiplier', factor: 2 } }),
        ],
        {},
        { usage: { base: { day: 90 } } },
      );
      expect(result.applied.map((entry) => entry.points)).toEqual([10, 10]);
    });

    it('takes the excess over max_points_per_activity from the lowest rules first', () => {
      const result = evaluate(
        [
          rule('high', { priority: 3, effect: { type: 'fixed', points: 60 } }),
          rule('middle', { priority: 2, effect: { type: 'fixed', points: 30 } }),
          rule('low', { priority: 1, effect: { type: 'bonus', points: 20 } }),
        ],
        {},
        { options: { max_points_per_activity: 70 } },
      );
      expect(result).toEqual({
        points: 70,
        applied: [
          { rule_id: 'high', name: 'rule high', points: 60 },
          { rule_id: 'middle', name: 'rule middle', points: 10, capped: 'max_per_activity' },
          { rule_id: 'low', name: 'rule low', points: 0, capped: 'max_per_activity' },
        ],
        skipped: [],
      });
    });
  });

  describe('refunds', () => {
    it('earns nothing for a refund unless a refund rule exists', () => {
      const purchaseRules = [rule('a'), rule('b', { rule_type: 'custom' })];
      expect(evaluate(purchaseRules, { type: 'refund' }).points).toBe(0);
      expect(evaluate(purchaseRules, { type: 'refund' }).applied).toEqual([]);
      const goodwill = rule('sorry', { rule_type: 'refund', effect: { type: 'fixed', points: 25 } });
      expect(evaluate([...purchaseRules, goodwill], { type: 'refund' }).points).toBe(25);
    });
  });
});

describe('refundReversal', () => {
  const earned = [
    { rule_id: 'base', points: 125 },
    { rule_id: 'double', points: 125 },
    { rule_id: 'bonus', points: 7 },
  ];

  it('reverses proportionally, rounding down until the last refund takes the rest', () => {
    const first = refundReversal(earned, 1000, 0, 300);
    expect(first).toEqual([
      { rule_id: 'base', points: 37 },
      { rule_id: 'double', points: 37 },
      { rule_id: 'bonus', points: 2 },
    ]);
    const second = refundReversal(earned, 1000, 300, 300);
    const last = refundReversal(earned, 1000, 600, 400);
    const total = (rule: number) => first[rule].points + second[rule].points + last[rule].points;
    expect([total(0), total(1), total(2)]).toEqual([125, 125, 7]);
  });

  it('reverses everything on a full refund and nothing more past the amount', () => {
    expect(refundReversal(earned, 1000, 0, 1000).map((entry) => entry.points)).toEqual([125, 125, 7]);
    expect(refundReversal(earned, 1000, 1000, 50).map((entry) => entry.points)).toEqual([0, 0, 0]);
    expect(refundReversal(earned, 1000, 900, 500).map((entry) => entry.points)).toEqual([13, 13, 1]);
    expect(refundReversal(earned, 1000, 0, 0).map((entry) => entry.points)).toEqual([0, 0, 0]);
  });

  it('refuses a purchase without an amount, which cannot be refunded proportionally', () => {
    expect(() => refundReversal(earned, 0, 0, 100)).toThrow(RangeError);
  });
});
