import fc from 'fast-check';
import {
  availability,
  CustomerStanding,
  eligibility,
  fulfilmentLocationAllowed,
  INELIGIBILITY_REASONS,
  locationAllowed,
  RewardTerms,
} from './eligibility';

const NOW = new Date('2025-06-01T12:00:00Z');
const SHOP = '00000000-0000-4000-8000-0000000000b1';
const OTHER_SHOP = '00000000-0000-4000-8000-0000000000b2';

const open: RewardTerms = {
  active: true,
  startDate: null,
  endDate: null,
  pointCost: 500,
  quantityAvailable: null,
  minTierRank: null,
  perCustomerLimit: null,
  locationIds: [],
};
const rich: CustomerStanding = { balance: 10_000, tierRank: null, redeemedCount: 0, locationId: null };

const reasonFor = (reward: Partial<RewardTerms>, customer: Partial<CustomerStanding> = {}) =>
  eligibility({ ...open, ...reward }, { ...rich, ...customer }, NOW).reason;

describe('reward eligibility', () => {
  it('lets a customer with enough points redeem an open reward', () => {
    expect(eligibility(open, rich, NOW)).toEqual({ eligible: true, reason: null });
    expect(reasonFor({}, { balance: 500 })).toBeNull();
  });

  it('refuses an inactive reward', () => {
    expect(reasonFor({ active: false })).toBe('inactive');
  });

  it('opens at start_date (inclusive) and closes at end_date (exclusive)', () => {
    expect(reasonFor({ startDate: new Date(NOW.getTime() + 1) })).toBe('not_yet_available');
    expect(reasonFor({ startDate: NOW })).toBeNull();
    expect(reasonFor({ endDate: NOW })).toBe('expired');
    expect(reasonFor({ endDate: new Date(NOW.getTime() + 1) })).toBeNull();
  });

  it('requires the minimum tier or a higher one', () => {
    expect(reasonFor({ minTierRank: 2 }, { tierRank: null })).toBe('tier_required');
    expect(reasonFor({ minTierRank: 2 }, { tierRank: 1 })).toBe('tier_required');
    expect(reasonFor({ minTierRank: 2 }, { tierRank: 2 })).toBeNull();
    expect(reasonFor({ minTierRank: 2 }, { tierRank: 3 })).toBeNull();
    // A deleted minimum tier locks the reward rather than opening it.
    expect(reasonFor({ minTierRank: Infinity }, { tierRank: 99 })).toBe('tier_required');
  });

  it('refuses a restricted reward only where the customer says they are elsewhere', () => {
    expect(reasonFor({ locationIds: [SHOP] }, { locationId: OTHER_SHOP })).toBe('location_restricted');
    expect(reasonFor({ locationIds: [SHOP] }, { locationId: SHOP.toUpperCase() })).toBeNull();
    expect(reasonFor({ locationIds: [SHOP] }, { locationId: null })).toBeNull();
    expect(reasonFor({}, { locationId: OTHER_SHOP })).toBeNull();
  });

  it('counts the customer’s redemptions against the per-customer limit', () => {
    expect(reasonFor({ perCustomerLimit: 2 }, { redeemedCount: 1 })).toBeNull();
    expect(reasonFor({ perCustomerLimit: 2 }, { redeemedCount: 2 })).toBe('limit_reached');
  });

  it('treats empty stock as out of stock and no stock figure as unlimited', () => {
    expect(reasonFor({ quantityAvailable: 0 })).toBe('out_of_stock');
    expect(reasonFor({ quantityAvailable: 1 })).toBeNull();
    expect(reasonFor({ quantityAvailable: null })).toBeNull();
  });

  it('refuses when the balance is below the cost', () => {
    expect(reasonFor({ pointCost: 500 }, { balance: 499 })).toBe('insufficient_points');
  });

  it('names the most lasting reason first', () => {
    const everythingWrong: Partial<RewardTerms> = {
      active: false,
      startDate: new Date(NOW.getTime() + 1000),
      minTierRank: 1,
      locationIds: [SHOP],
      perCustomerLimit: 1,
      quantityAvailable: 0,
    };
    const customer: Partial<CustomerStanding> = { balance: 0, redeemedCount: 1, locationId: OTHER_SHOP };
    const order: Array<[Partial<RewardTerms>, string]> = [
      [{}, 'inactive'],
      [{ active: true }, 'not_yet_available'],
      [{ active: true, startDate: null, endDate: NOW }, 'expired'],
      [{ active: true, startDate: null }, 'tier_required'],
      [{ active: true, startDate: null, minTierRank: null }, 'location_restricted'],
      [{ active: true, startDate: null, minTierRank: null, locationIds: [] }, 'limit_reached'],
      [{ active: true, startDate: null, minTierRank: null, locationIds: [], perCustomerLimit: null }, 'out_of_stock'],
      [
        {
          active: true,
          startDate: null,
          minTierRank: null,
          locationIds: [],
          perCustomerLimit: null,
          quantityAvailable: 5,
        },
        'insufficient_points',
      ],
    ];
    for (const [fix, reason] of order) expect(reasonFor({ ...everythingWrong, ...fix }, customer)).toBe(reason);
  });

  it('is eligible exactly when no rule refuses (any mix of terms)', () => {
    const termsArb = fc.record({
      active: fc.boolean(),
      startDate: fc.option(fc.integer({ min: -5, max: 5 }).map((days) => new Date(NOW.getTime() + days * 86_400_000))),
      endDate: fc.option(fc.integer({ min: -5, max: 5 }).map((days) => new Date(NOW.getTime() + days * 86_400_000))),
      pointCost: fc.integer({ min: 1, max: 1000 }),
      quantityAvailable: fc.option(fc.integer({ min: 0, max: 3 })),
      minTierRank: fc.option(fc.integer({ min: 0, max: 3 })),
      perCustomerLimit: fc.option(fc.integer({ min: 1, max: 3 })),
      locationIds: fc.subarray([SHOP, OTHER_SHOP]),
    });
    const standingArb = fc.record({
      balance: fc.integer({ min: 0, max: 1500 }),
      tierRank: fc.option(fc.integer({ min: 0, max: 3 })),
      redeemedCount: fc.integer({ min: 0, max: 4 }),
      locationId: fc.option(fc.constantFrom(SHOP, OTHER_SHOP)),
    });
    fc.assert(
      fc.property(termsArb, standingArb, (terms, standing) => {
        const verdict = eligibility(terms, standing, NOW);
        const allowed =
          terms.active &&
          (terms.startDate === null || terms.startDate <= NOW) &&
          (terms.endDate === null || terms.endDate > NOW) &&
          (terms.minTierRank === null || (standing.tierRank !== null && standing.tierRank >= terms.minTierRank)) &&
          (terms.locationIds.length === 0 ||
            standing.locationId === null ||
            terms.locationIds.includes(standing.locationId)) &&
          (terms.perCustomerLimit === null || standing.redeemedCount < terms.perCustomerLimit) &&
          (terms.quantityAvailable === null || terms.quantityAvailable > 0) &&
          standing.balance >= terms.pointCost;
        expect(verdict.eligible).toBe(allowed);
        expect(verdict.eligible ? verdict.reason === null : INELIGIBILITY_REASONS.includes(verdict.reason)).toBe(true);
      }),
    );
  });
});

describe('availability', () => {
  it('says whether a reward is on offer to anyone, before any customer is looked at', () => {
    expect(availability(open, NOW)).toBeNull();
    expect(availability({ ...open, active: false }, NOW)).toBe('inactive');
    expect(availability({ ...open, startDate: new Date(NOW.getTime() + 1) }, NOW)).toBe('not_yet_available');
    expect(availability({ ...open, endDate: NOW }, NOW)).toBe('expired');
    // What it says, eligibility says first, whatever the customer.
    const poor: CustomerStanding = { balance: 0, tierRank: null, redeemedCount: 9, locationId: OTHER_SHOP };
    expect(eligibility({ ...open, endDate: NOW, minTierRank: 3, quantityAvailable: 0 }, poor, NOW).reason).toBe(
      'expired',
    );
  });
});

describe('locations', () => {
  it('lets a restricted reward be redeemed from anywhere unless the customer is elsewhere', () => {
    expect(locationAllowed({ locationIds: [SHOP] }, null)).toBe(true);
    expect(locationAllowed({ locationIds: [SHOP] }, SHOP)).toBe(true);
    expect(locationAllowed({ locationIds: [SHOP] }, OTHER_SHOP)).toBe(false);
  });

  it('hands a restricted reward over only at one of its locations, named by staff', () => {
    expect(fulfilmentLocationAllowed({ locationIds: [] }, null)).toBe(true);
    expect(fulfilmentLocationAllowed({ locationIds: [] }, OTHER_SHOP)).toBe(true);
    expect(fulfilmentLocationAllowed({ locationIds: [SHOP] }, SHOP)).toBe(true);
    expect(fulfilmentLocationAllowed({ locationIds: [SHOP] }, OTHER_SHOP)).toBe(false);
    expect(fulfilmentLocationAllowed({ locationIds: [SHOP] }, null)).toBe(false);
  });
});
