import { RuleDefinition, validateRuleDefinition, validateRulePatch } from './rule-definition';

const TIER = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const LOCATION = 'A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D';
const PROGRAM = '11111111-2222-4333-8444-555555555555';

/** The example of API.md, "Shapes of the main objects". */
const apiExample = {
  name: '1 point per £1',
  program_id: PROGRAM,
  rule_type: 'purchase',
  priority: 10,
  stacking: 'stackable',
  conditions: {
    min_amount: 500,
    currency: 'GBP',
    days_of_week: [1, 2, 3, 4, 5],
    time_window: { from: '07:00', to: '11:00' },
    location_ids: [LOCATION],
    tier_ids: [TIER],
    categories: ['coffee'],
    first_activity_only: false,
    every_nth: 0,
  },
  effect: { type: 'points_per_unit', points: 1, per: 100 },
  caps: { per_customer: { day: 3, week: 0, month: 0, lifetime: 0 }, budget_points: 0 },
  start_date: null,
  end_date: null,
  active: true,
};

const minimal = { name: 'Signup', rule_type: 'signup', effect: { type: 'fixed', points: 50 } };

const errorsOf = (input: unknown) => validateRuleDefinition(input).errors;
const fieldsOf = (input: unknown) => errorsOf(input).map((error) => error.field);
const withConditions = (conditions: unknown) => ({ ...minimal, conditions });
const withEffect = (effect: unknown) => ({ ...minimal, effect });
const withCaps = (caps: unknown) => ({ ...minimal, caps });

describe('validateRuleDefinition', () => {
  it('accepts the API.md example and returns it normalised', () => {
    const { value, errors } = validateRuleDefinition(apiExample);
    expect(errors).toEqual([]);
    expect(value).toEqual({
      ...apiExample,
      custom_type: null,
      rule_type: 'purchase',
      stacking: 'stackable',
      effect: { type: 'points_per_unit', points: 1, per: 100 },
      conditions: { ...apiExample.conditions, location_ids: [LOCATION.toLowerCase()] },
    });
  });

  it('fills in defaults for everything but name, rule_type and effect', () => {
    expect(validateRuleDefinition(minimal)).toEqual({
      value: {
        name: 'Signup',
        program_id: null,
        rule_type: 'signup',
        custom_type: null,
        priority: 0,
        stacking: 'stackable',
        conditions: {},
        effect: { type: 'fixed', points: 50 },
        caps: { per_customer: { day: 0, week: 0, month: 0, lifetime: 0 }, budget_points: 0 },
        start_date: null,
        end_date: null,
        active: true,
      },
      errors: [],
    });
  });

  it('is idempotent: validating its own output gives the same rule', () => {
    const once = validateRuleDefinition({ ...apiExample, conditions: { ...apiExample.conditions, channel: 'web' } });
    expect(validateRuleDefinition(once.value)).toEqual(once);
  });

  it('requires name, rule_type and effect, and refuses a non-object', () => {
    expect(fieldsOf({})).toEqual(['name', 'rule_type', 'effect']);
    expect(errorsOf([])).toEqual([{ field: 'rule', message: 'must be an object' }]);
    expect(errorsOf(null)).toEqual([{ field: 'rule', message: 'must be an object' }]);
  });

  it('reports every problem at once, each with its path', () => {
    expect(
      fieldsOf({
        name: ' ',
        rule_type: 'purchase',
        priority: 1.5,
        conditions: { min_amount: -1, days_of_week: [1, 8], time_window: { from: '7:00', to: '24:00' } },
        effect: { type: 'points_per_unit', points: 0 },
        caps: { per_customer: { day: -1 } },
      }),
    ).toEqual([
      'name',
      'priority',
      'conditions.min_amount',
      'conditions.days_of_week[1]',
      'conditions.time_window.from',
      'conditions.time_window.to',
      'effect.points',
      'effect.per',
      'caps.per_customer.day',
    ]);
  });

  describe('top level', () => {
    it.each([
      ['name', 42],
      ['name', 'x'.repeat(201)],
      ['rule_type', 'purchases'],
      ['rule_type', 'custom:foo'],
      ['program_id', 'not-a-uuid'],
      ['priority', '10'],
      ['priority', 1_000_001],
      ['stacking', 'exclusiv'],
      ['active', 'yes'],
      ['start_date', '2025-02-30'],
      ['start_date', '2025-1-05'],
      ['end_date', '2025-01-05T00:00:00Z'],
      ['conditions', []],
      ['caps', 3],
      ['effect', 'fixed'],
    ])('refuses %s = %p', (field, value) => {
      expect(fieldsOf({ ...minimal, [field]: value })).toEqual([field]);
    });

    it('names unknown top-level fields', () => {
      expect(errorsOf({ ...minimal, points: 5 })).toEqual([
        { field: 'points', message: expect.stringContaining('is not a known field') },
      ]);
    });

    it('trims the name and accepts negative priorities', () => {
      expect(validateRuleDefinition({ ...minimal, name: '  Signup bonus ', priority: -5 }).value).toMatchObject({
        name: 'Signup bonus',
        priority: -5,
      });
    });

    it('takes inclusive date ranges and refuses an end before the start', () => {
      expect(
        validateRuleDefinition({ ...minimal, start_date: '2025-03-01', end_date: '2025-03-01' }).value,
      ).toMatchObject({ start_date: '2025-03-01', end_date: '2025-03-01' });
      expect(validateRuleDefinition({ ...minimal, start_date: '2024-02-29' }).errors).toEqual([]);
      expect(errorsOf({ ...minimal, start_date: '2025-03-02', end_date: '2025-03-01' })).toEqual([
        { field: 'end_date', message: 'must not be before start_date' },
      ]);
    });

    it('lets only custom rules name a custom_type, in a form that fits an activity type', () => {
      expect(
        validateRuleDefinition({ ...minimal, rule_type: 'custom', custom_type: 'app_review' }).value,
      ).toMatchObject({ rule_type: 'custom', custom_type: 'app_review' });
      expect(validateRuleDefinition({ ...minimal, rule_type: 'custom' }).value?.custom_type).toBeNull();
      expect(fieldsOf({ ...minimal, custom_type: 'app_review' })).toEqual(['custom_type']);
      expect(fieldsOf({ ...minimal, rule_type: 'custom', custom_type: 'app review' })).toEqual(['custom_type']);
      expect(fieldsOf({ ...minimal, rule_type: 'custom', custom_type: 'x'.repeat(61) })).toEqual(['custom_type']);
    });
  });

  describe('conditions', () => {
    it.each([
      ['min_amount', 1.5],
      ['min_amount', '500'],
      ['max_amount', -1],
      ['currency', 'gbp'],
      ['currency', 'ABC'],
      ['currency', 'GBPX'],
      ['categories', 'coffee'],
      ['categories', [' ']],
      ['skus', ['x'.repeat(101)]],
      ['channels', [42]],
      ['channel', ['x'.repeat(41)]],
      ['segments', {}],
      ['days_of_week', 1],
      ['tier_ids', ['gold']],
      ['location_ids', [LOCATION, 'nope']],
      ['first_activity_only', 'false'],
      ['every_nth', -1],
      ['every_nth', 2.5],
      ['time_window', '07:00-11:00'],
    ])('refuses %s = %p', (key, value) => {
      const fields = fieldsOf(withConditions({ [key]: value }));
      expect(fields.length).toBe(1);
      expect(fields[0]).toMatch(new RegExp(`^conditions\\.${key}(\\[\\d+\\])?$`));
    });

    it('names the offending entry of a list', () => {
      expect(fieldsOf(withConditions({ days_of_week: [1, 2, 0, 9] }))).toEqual([
        'conditions.days_of_week[2]',
        'conditions.days_of_week[3]',
      ]);
      expect(fieldsOf(withConditions({ tier_ids: [TIER, 'gold'] }))).toEqual(['conditions.tier_ids[1]']);
    });

    it('names unknown conditions', () => {
      expect(errorsOf(withConditions({ weekday: [1] }))).toEqual([
        { field: 'conditions.weekday', message: expect.stringContaining('is not a known condition') },
      ]);
    });

    it('refuses a minimum above the maximum but accepts them equal', () => {
      expect(errorsOf(withConditions({ min_amount: 1000, max_amount: 999 }))).toEqual([
        { field: 'conditions.min_amount', message: 'must not be greater than max_amount' },
      ]);
      expect(errorsOf(withConditions({ min_amount: 1000, max_amount: 1000 }))).toEqual([]);
    });

    it('checks time windows as HH:MM between 00:00 and 23:59, allowing a wrap past midnight', () => {
      expect(
        validateRuleDefinition(withConditions({ time_window: { from: '22:00', to: '02:00' } })).value?.conditions,
      ).toEqual({ time_window: { from: '22:00', to: '02:00' } });
      expect(errorsOf(withConditions({ time_window: { from: '00:00', to: '23:59' } }))).toEqual([]);
      expect(fieldsOf(withConditions({ time_window: { from: '23:60', to: '07:00' } }))).toEqual([
        'conditions.time_window.from',
      ]);
      expect(fieldsOf(withConditions({ time_window: { from: '07:00' } }))).toEqual(['conditions.time_window.to']);
      expect(fieldsOf(withConditions({ time_window: { from: '07:00', to: '07:00' } }))).toEqual([
        'conditions.time_window.to',
      ]);
      expect(fieldsOf(withConditions({ time_window: { from: '07:00', to: '09:00', tz: 'UTC' } }))).toEqual([
        'conditions.time_window.tz',
      ]);
    });

    it('normalises lists: weekdays sorted, repeats dropped, ids lower-cased, channel stored as channels', () => {
      const { value } = validateRuleDefinition(
        withConditions({
          days_of_week: [5, 1, 5, 3],
          categories: ['coffee', 'coffee', 'tea'],
          location_ids: [LOCATION, LOCATION.toLowerCase()],
          channel: 'web',
          tier_ids: null,
        }),
      );
      expect(value?.conditions).toEqual({
        days_of_week: [1, 3, 5],
        categories: ['coffee', 'tea'],
        location_ids: [LOCATION.toLowerCase()],
        channels: ['web'],
      });
      expect(validateRuleDefinition(withConditions({ channels: ['web', 'pos'] })).value?.conditions).toEqual({
        channels: ['web', 'pos'],
      });
      expect(fieldsOf(withConditions({ channel: 'web', channels: ['pos'] }))).toEqual(['conditions.channel']);
    });

    it('refuses lists longer than 1000 entries', () => {
      const skus = Array.from({ length: 1001 }, (_, index) => `sku-${index}`);
      expect(fieldsOf(withConditions({ skus }))).toEqual(['conditions.skus']);
    });
  });

  describe('effect', () => {
    it.each([
      [{ type: 'fixed', points: 1 }],
      [{ type: 'fixed', points: 1_000_000 }],
      [{ type: 'bonus', points: 100 }],
      [{ type: 'points_per_unit', points: 1, per: 1 }],
      [{ type: 'multiplier', factor: 1.0001 }],
      [{ type: 'multiplier', factor: 1.1 }],
      [{ type: 'multiplier', factor: 10 }],
    ])('accepts %p', (effect) => {
      expect(validateRuleDefinition(withEffect(effect)).value?.effect).toEqual(effect);
    });

    it.each([
      [{ type: 'fixed', points: 0 }, 'effect.points'],
      [{ type: 'fixed', points: 1_000_001 }, 'effect.points'],
      [{ type: 'bonus', points: 2.5 }, 'effect.points'],
      [{ type: 'fixed' }, 'effect.points'],
      [{ type: 'points_per_unit', points: 1, per: 0 }, 'effect.per'],
      [{ type: 'points_per_unit', points: 1, per: '100' }, 'effect.per'],
      [{ type: 'multiplier', factor: 1 }, 'effect.factor'],
      [{ type: 'multiplier', factor: 10.5 }, 'effect.factor'],
      [{ type: 'multiplier', factor: 1.00001 }, 'effect.factor'],
      [{ type: 'multiplier', factor: Number.NaN }, 'effect.factor'],
      [{ type: 'percentage', points: 1 }, 'effect.type'],
      [{ points: 1 }, 'effect.type'],
      [{ type: 'fixed', points: 5, per: 100 }, 'effect.per'],
      [{ type: 'multiplier', factor: 2, points: 5 }, 'effect.points'],
    ])('refuses %p at %s', (effect, field) => {
      expect(fieldsOf(withEffect(effect))).toEqual([field]);
    });

    it('says which fields belong to the effect type when given a stray one', () => {
      expect(errorsOf(withEffect({ type: 'fixed', points: 5, factor: 2 }))).toEqual([
        { field: 'effect.factor', message: 'is not a known field of a fixed effect (known: type, points)' },
      ]);
    });
  });

  describe('caps', () => {
    it('merges partial caps over "no cap" and reads null as no cap', () => {
      expect(validateRuleDefinition(withCaps({ per_customer: { week: 500, day: null } })).value?.caps).toEqual({
        per_customer: { day: 0, week: 500, month: 0, lifetime: 0 },
        budget_points: 0,
      });
      expect(validateRuleDefinition(withCaps({ budget_points: 100_000 })).value?.caps.budget_points).toBe(100_000);
      expect(validateRuleDefinition(withCaps(null)).value?.caps.budget_points).toBe(0);
    });

    it.each([
      [{ budget_points: -1 }, 'caps.budget_points'],
      [{ budget_points: 0.5 }, 'caps.budget_points'],
      [{ per_customer: { month: '10' } }, 'caps.per_customer.month'],
      [{ per_customer: { lifetime: 1_000_000_001 } }, 'caps.per_customer.lifetime'],
      [{ per_customer: { year: 10 } }, 'caps.per_customer.year'],
      [{ per_customer: [] }, 'caps.per_customer'],
      [{ per_activity: 10 }, 'caps.per_activity'],
    ])('refuses %p at %s', (caps, field) => {
      expect(fieldsOf(withCaps(caps))).toEqual([field]);
    });
  });
});

describe('validateRulePatch', () => {
  const stored: RuleDefinition = validateRuleDefinition(apiExample).value!;

  it('changes only what the patch names', () => {
    const { value, errors } = validateRulePatch(stored, { name: 'Breakfast', priority: 20 });
    expect(errors).toEqual([]);
    expect(value).toEqual({ ...stored, name: 'Breakfast', priority: 20 });
  });

  it('merges conditions key by key, null removing one and conditions: null removing all', () => {
    const { value } = validateRulePatch(stored, {
      conditions: { min_amount: 1000, time_window: null, channel: 'web' },
    });
    const { time_window: _removed, ...rest } = stored.conditions;
    expect(value?.conditions).toEqual({ ...rest, min_amount: 1000, channels: ['web'] });
    expect(validateRulePatch(stored, { conditions: null }).value?.conditions).toEqual({});
    const withChannels = validateRulePatch(stored, { conditions: { channels: ['pos'] } }).value!;
    expect(validateRulePatch(withChannels, { conditions: { channel: ['web'] } }).value?.conditions.channels).toEqual([
      'web',
    ]);
  });

  it('validates the merged rule, so a change that clashes with what is stored is refused', () => {
    expect(validateRulePatch(stored, { conditions: { max_amount: 100 } }).errors).toEqual([
      { field: 'conditions.min_amount', message: 'must not be greater than max_amount' },
    ]);
    expect(validateRulePatch({ ...stored, start_date: '2025-06-01' }, { end_date: '2025-05-31' }).errors).toEqual([
      { field: 'end_date', message: 'must not be before start_date' },
    ]);
    expect(validateRulePatch(stored, { custom_type: 'app_review' }).errors.map((e) => e.field)).toEqual([
      'custom_type',
    ]);
  });

  it('merges an effect of the same type and replaces one of another type', () => {
    expect(validateRulePatch(stored, { effect: { points: 2 } }).value?.effect).toEqual({
      type: 'points_per_unit',
      points: 2,
      per: 100,
    });
    expect(validateRulePatch(stored, { effect: { type: 'multiplier', factor: 2 } }).value?.effect).toEqual({
      type: 'multiplier',
      factor: 2,
    });
    expect(validateRulePatch(stored, { effect: { type: 'fixed' } }).errors.map((e) => e.field)).toEqual([
      'effect.points',
    ]);
  });

  it('merges caps and per-customer caps key by key', () => {
    expect(validateRulePatch(stored, { caps: { per_customer: { week: 10 } } }).value?.caps).toEqual({
      per_customer: { day: 3, week: 10, month: 0, lifetime: 0 },
      budget_points: 0,
    });
    expect(validateRulePatch(stored, { caps: { budget_points: 5000 } }).value?.caps).toEqual({
      per_customer: { day: 3, week: 0, month: 0, lifetime: 0 },
      budget_points: 5000,
    });
  });

  it('refuses unknown fields, nulls in required fields and a non-object patch', () => {
    expect(validateRulePatch(stored, { id: 'x' }).errors.map((e) => e.field)).toEqual(['id']);
    expect(validateRulePatch(stored, { name: null }).errors.map((e) => e.field)).toEqual(['name']);
    expect(validateRulePatch(stored, { effect: null }).errors.map((e) => e.field)).toEqual(['effect']);
    expect(validateRulePatch(stored, 'name')).toEqual({ errors: [{ field: 'rule', message: 'must be an object' }] });
  });
});
