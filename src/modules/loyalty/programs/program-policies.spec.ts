import {
  DEFAULT_EARN_POLICY,
  storedEarnPolicy,
  storedExpiryPolicy,
  validateEarnPolicy,
  validateExpiryPolicy,
} from './program-policies';

describe('validateEarnPolicy', () => {
  it('fills what is left out from the base: the defaults on create, the stored policy on update', () => {
    expect(validateEarnPolicy({})).toEqual({ value: DEFAULT_EARN_POLICY, errors: [] });
    expect(validateEarnPolicy({ rounding: 'ceil' }, { rounding: 'round', max_points_per_activity: 500 })).toEqual({
      value: { rounding: 'ceil', max_points_per_activity: 500 },
      errors: [],
    });
    expect(validateEarnPolicy({ max_points_per_activity: 0 })).toEqual({
      value: { rounding: 'floor', max_points_per_activity: 0 },
      errors: [],
    });
  });

  it('puts a null field, or a null policy, back to the defaults', () => {
    const stored = { rounding: 'ceil' as const, max_points_per_activity: 500 };
    expect(validateEarnPolicy({ max_points_per_activity: null }, stored).value).toEqual({
      rounding: 'ceil',
      max_points_per_activity: 0,
    });
    expect(validateEarnPolicy(null, stored).value).toEqual(DEFAULT_EARN_POLICY);
  });

  it('names every bad field with its path', () => {
    expect(validateEarnPolicy({ rounding: 'bankers', max_points_per_activity: -1, bonus: true }).errors).toEqual([
      { field: 'earn_policy.bonus', message: expect.stringMatching(/not a known field/) },
      { field: 'earn_policy.rounding', message: 'must be one of floor, round, ceil' },
      { field: 'earn_policy.max_points_per_activity', message: expect.stringMatching(/whole number from 0/) },
    ]);
    expect(validateEarnPolicy({ max_points_per_activity: 2.5 }).errors[0].field).toBe(
      'earn_policy.max_points_per_activity',
    );
    expect(validateEarnPolicy({ max_points_per_activity: '10' }).value).toBeUndefined();
    expect(validateEarnPolicy('floor').errors).toEqual([{ field: 'earn_policy', message: 'must be an object' }]);
    expect(validateEarnPolicy([]).errors[0].field).toBe('earn_policy');
  });
});

describe('validateExpiryPolicy', () => {
  it('accepts each member of the union, exactly', () => {
    expect(validateExpiryPolicy({ type: 'never' }).value).toEqual({ type: 'never' });
    expect(validateExpiryPolicy({ type: 'days_after_earn', days: 365 }).value).toEqual({
      type: 'days_after_earn',
      days: 365,
    });
    expect(validateExpiryPolicy({ type: 'end_of_nth_month', months: 12 }).value).toEqual({
      type: 'end_of_nth_month',
      months: 12,
    });
    expect(validateExpiryPolicy({ type: 'end_of_nth_month', months: 0 }).value).toEqual({
      type: 'end_of_nth_month',
      months: 0,
    });
    expect(validateExpiryPolicy(null).value).toEqual({ type: 'never' });
  });

  it.each([
    [{ type: 'days_after_earn' }, 'expiry_policy.days'],
    [{ type: 'days_after_earn', days: 0 }, 'expiry_policy.days'],
    [{ type: 'days_after_earn', days: 3651 }, 'expiry_policy.days'],
    [{ type: 'days_after_earn', days: 1.5 }, 'expiry_policy.days'],
    [{ type: 'days_after_earn', days: '30' }, 'expiry_policy.days'],
    [{ type: 'end_of_nth_month', months: -1 }, 'expiry_policy.months'],
    [{ type: 'end_of_nth_month', months: 121 }, 'expiry_policy.months'],
    [{ type: 'end_of_nth_month', days: 30 }, 'expiry_policy.days'],
    [{ type: 'never', days: 30 }, 'expiry_policy.days'],
    [{ type: 'sometimes' }, 'expiry_policy.type'],
    [{ days: 30 }, 'expiry_policy.type'],
    ['never', 'expiry_policy'],
  ])('refuses %j on %s', (input, field) => {
    const result = validateExpiryPolicy(input);
    expect(result.value).toBeUndefined();
    expect(result.errors.map((error) => error.field)).toContain(field);
  });
});

describe('stored policies', () => {
  it('read partial or odd stored JSON the way the earning path does', () => {
    expect(storedEarnPolicy({})).toEqual(DEFAULT_EARN_POLICY);
    expect(storedEarnPolicy(null)).toEqual(DEFAULT_EARN_POLICY);
    expect(storedEarnPolicy({ rounding: 'round' })).toEqual({ rounding: 'round', max_points_per_activity: 0 });
    expect(storedExpiryPolicy({})).toEqual({ type: 'never' });
    expect(storedExpiryPolicy({ type: 'days_after_earn', days: 30 })).toEqual({ type: 'days_after_earn', days: 30 });
  });
});
