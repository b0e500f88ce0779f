import fc from 'fast-check';
import {
  AchievementCriteria,
  CustomerFacts,
  factsNeeded,
  isKnownActivityType,
  isMet,
  isRelevant,
  parseCriteria,
  progressOf,
  streakKey,
} from './achievement-criteria';

const TIER = '00000000-0000-4000-8000-0000000000a1';

const facts = (overrides: Partial<CustomerFacts> = {}): CustomerFacts => ({
  activityCounts: {},
  distinctLocations: {},
  eventsAttended: 0,
  lifetimePoints: 0,
  tiersReached: new Set(),
  longestStreaks: {},
  ...overrides,
});

describe('parseCriteria', () => {
  it('accepts every shape of API.md', () => {
    const valid: unknown[] = [
      { type: 'activity_count', activity_type: 'purchase', count: 5 },
      { type: 'activity_count', activity_type: 'custom:review', count: 1 },
      { type: 'points_total', points: 1000 },
      { type: 'distinct_locations', count: 3 },
      { type: 'events_attended', count: 2 },
      { type: 'streak', activity_type: 'check_in', unit: 'day', count: 7 },
      { type: 'streak', activity_type: 'purchase', unit: 'week', count: 4 },
      { type: 'tier_reached', tier_id: TIER },
    ];
    for (const input of valid) expect(parseCriteria(input).errors).toEqual([]);
  });

  it('defaults distinct locations to check-ins', () => {
    expect(parseCriteria({ type: 'distinct_locations', count: 3 }).criteria).toEqual({
      type: 'distinct_locations',
      activity_type: 'check_in',
      count: 3,
    });
  });

  it('refuses criteria that can never be met, naming the field', () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'activity_count', activity_type: 'teleport', count: 5 }, 'criteria.activity_type'],
      [{ type: 'activity_count', activity_type: 'custom', count: 5 }, 'criteria.activity_type'],
      [{ type: 'activity_count', activity_type: 'purchase', count: 0 }, 'criteria.count'],
      [{ type: 'activity_count', activity_type: 'purchase', count: -1 }, 'criteria.count'],
      [{ type: 'activity_count', activity_type: 'purchase', count: 1.5 }, 'criteria.count'],
      [{ type: 'activity_count', activity_type: 'purchase' }, 'criteria.count'],
      [{ type: 'points_total', points: 0 }, 'criteria.points'],
      [{ type: 'distinct_locations', count: 0 }, 'criteria.count'],
      [{ type: 'events_attended', count: '2' }, 'criteria.count'],
      [{ type: 'streak', activity_type: 'check_in', unit: 'fortnight', count: 3 }, 'criteria.unit'],
      [{ type: 'streak', activity_type: 'check_in', unit: 'day', count: 5000 }, 'criteria.count'],
      [{ type: 'tier_reached', tier_id: 'gold' }, 'criteria.tier_id'],
      [{ type: 'levitate' }, 'criteria.type'],
      [{ type: 'points_total', points: 10, count: 3 }, 'criteria.count'],
      ['five purchases', 'criteria'],
    ];
    for (const [input, field] of cases) {
      const parsed = parseCriteria(input);
      expect(parsed.criteria).toBeNull();
      expect(parsed.errors.map((error) => error.field)).toContain(field);
    }
  });

  it('knows the activity types the engine records', () => {
    expect(isKnownActivityType('event_attendance')).toBe(true);
    expect(isKnownActivityType('custom:beach-clean')).toBe(true);
    expect(isKnownActivityType('custom:')).toBe(false);
    expect(isKnownActivityType('Purchase')).toBe(false);
  });
});

describe('progress', () => {
  it('counts towards each criteria, capped at the target', () => {
    const customer = facts({
      activityCounts: { purchase: 7 },
      distinctLocations: { check_in: 2 },
      eventsAttended: 1,
      lifetimePoints: 400,
      tiersReached: new Set([TIER]),
      longestStreaks: { [streakKey('check_in', 'day')]: 3 },
    });
    const expectations: Array<[AchievementCriteria, number, number]> = [
      [{ type: 'activity_count', activity_type: 'purchase', count: 5 }, 5, 5],
      [{ type: 'activity_count', activity_type: 'survey', count: 2 }, 0, 2],
      [{ type: 'points_total', points: 1000 }, 400, 1000],
      [{ type: 'distinct_locations', activity_type: 'check_in', count: 3 }, 2, 3],
      [{ type: 'events_attended', count: 2 }, 1, 2],
      [{ type: 'streak', activity_type: 'check_in', unit: 'day', count: 7 }, 3, 7],
      [{ type: 'streak', activity_type: 'check_in', unit: 'week', count: 2 }, 0, 2],
      [{ type: 'tier_reached', tier_id: TIER }, 1, 1],
    ];
    for (const [criteria, current, target] of expectations) {
      expect(progressOf(criteria, customer)).toEqual({ current, target });
    }
  });

  it('is met exactly when progress reaches the target (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 100 }), (done, target) => {
        const criteria: AchievementCriteria = { type: 'activity_count', activity_type: 'purchase', count: target };
        const customer = facts({ activityCounts: { purchase: done } });
        const progress = progressOf(criteria, customer);
        expect(progress.current).toBeLessThanOrEqual(target);
        expect(isMet(criteria, customer)).toBe(done >= target);
      }),
    );
  });
});

describe('relevance and facts needed', () => {
  const signal = { type: 'check_in', locationId: 'l1', points: 0, tierId: null };

  it('evaluates only criteria the activity can move', () => {
    expect(isRelevant({ type: 'activity_count', activity_type: 'check_in', count: 1 }, signal)).toBe(true);
    expect(isRelevant({ type: 'activity_count', activity_type: 'purchase', count: 1 }, signal)).toBe(false);
    expect(isRelevant({ type: 'distinct_locations', activity_type: 'check_in', count: 2 }, signal)).toBe(true);
    expect(
      isRelevant({ type: 'distinct_locations', activity_type: 'check_in', count: 2 }, { ...signal, locationId: null }),
    ).toBe(false);
    expect(isRelevant({ type: 'points_total', points: 10 }, signal)).toBe(false);
    expect(isRelevant({ type: 'points_total', points: 10 }, { ...signal, points: 5 })).toBe(true);
    expect(isRelevant({ type: 'events_attended', count: 1 }, { ...signal, type: 'event_attendance' })).toBe(true);
    expect(isRelevant({ type: 'tier_reached', tier_id: TIER }, { ...signal, tierId: TIER })).toBe(true);
  });

  it('lets points earned with no activity to count (a refund’s own rules) move only points and tiers', () => {
    const earned = { type: null, locationId: null, points: 5, tierId: TIER };
    expect(isRelevant({ type: 'points_total', points: 10 }, earned)).toBe(true);
    expect(isRelevant({ type: 'tier_reached', tier_id: TIER }, earned)).toBe(true);
    expect(isRelevant({ type: 'activity_count', activity_type: 'refund', count: 1 }, earned)).toBe(false);
    expect(isRelevant({ type: 'streak', activity_type: 'refund', unit: 'day', count: 1 }, earned)).toBe(false);
    expect(isRelevant({ type: 'distinct_locations', activity_type: 'refund', count: 1 }, earned)).toBe(false);
    expect(isRelevant({ type: 'events_attended', count: 1 }, earned)).toBe(false);
  });

  it('asks for each fact once', () => {
    const needed = factsNeeded([
      { type: 'activity_count', activity_type: 'purchase', count: 1 },
      { type: 'activity_count', activity_type: 'purchase', count: 5 },
      { type: 'streak', activity_type: 'check_in', unit: 'day', count: 3 },
      { type: 'streak', activity_type: 'check_in', unit: 'day', count: 7 },
      { type: 'tier_reached', tier_id: TIER },
    ]);
    expect(needed).toEqual({
      activityTypes: ['purchase'],
      locationTypes: [],
      events: false,
      points: false,
      tierIds: [TIER],
      streaks: [{ activityType: 'check_in', unit: 'day' }],
    });
  });
});
