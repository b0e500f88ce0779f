import { exceedsQuota, isPlanName, PLAN_NAMES, PLANS, quotasOf, remainingQuota } from './plans';

describe('plans', () => {
  it('knows its plans by name and nothing else', () => {
    expect(PLAN_NAMES).toEqual(['starter', 'growth', 'enterprise']);
    expect(isPlanName('growth')).toBe(true);
    for (const name of ['Growth', 'gold', '', 'toString', '__proto__', null, 3]) expect(isPlanName(name)).toBe(false);
  });

  it('gives an unknown plan the smallest quotas rather than none', () => {
    expect(quotasOf('enterprise')).toEqual(PLANS.enterprise);
    expect(quotasOf('legacy-2019')).toEqual(PLANS.starter);
    expect(quotasOf('toString')).toEqual(PLANS.starter);
    const catalog = { starter: { customers: 3, locations: 1, api_requests_per_minute: 10 } };
    expect(quotasOf('growth', catalog)).toEqual(catalog.starter);
  });

  describe('quota maths', () => {
    it.each([
      // limit, used, adding, exceeds
      [3, 0, 1, false],
      [3, 2, 1, false],
      [3, 3, 1, true],
      [3, 2, 2, true],
      [3, 0, 3, false],
      [0, 0, 1, true],
      [null, 1_000_000, 1, false],
    ])('limit %p, used %p, adding %p → exceeds %p', (limit, used, adding, exceeds) => {
      expect(exceedsQuota(limit, used, adding)).toBe(exceeds);
    });

    it('reports what remains, never below zero, null when unlimited', () => {
      expect(remainingQuota(10, 4)).toBe(6);
      expect(remainingQuota(10, 10)).toBe(0);
      expect(remainingQuota(10, 12)).toBe(0);
      expect(remainingQuota(null, 12)).toBeNull();
    });
  });
});
