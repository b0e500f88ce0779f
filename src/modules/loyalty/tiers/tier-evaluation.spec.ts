import fc from 'fast-check';
import {
  DowngradePolicy,
  downgradeTarget,
  nextTier,
  qualifyingWindows,
  TierDefinition,
  TierStanding,
  tierFor,
} from './tier-evaluation';

const tier = (
  id: string,
  rank: number,
  threshold: number,
  basis: TierDefinition['basis'] = 'lifetime',
  windowDays: number | null = null,
): TierDefinition => ({
  id,
  name: id,
  rank,
  threshold,
  basis,
  window_days: windowDays,
  benefits: { earn_multiplier: 1 + rank / 4 },
});

const bronze = tier('bronze', 0, 0);
const silver = tier('silver', 1, 1000);
const gold = tier('gold', 2, 5000);
const platinum = tier('platinum', 3, 20000);
const ladder = [platinum, bronze, gold, silver];

const standing = (lifetime: number, qualifying: TierStanding['qualifying_points_in_window'] = 0): TierStanding => ({
  lifetime_points: lifetime,
  qualifying_points_in_window: qualifying,
});

describe('tierFor', () => {
  it('gives the highest tier whose threshold is met, thresholds inclusive', () => {
    expect(tierFor(ladder, standing(0))).toBe(bronze);
    expect(tierFor(ladder, standing(999))).toBe(bronze);
    expect(tierFor(ladder, standing(1000))).toBe(silver);
    expect(tierFor(ladder, standing(19_999))).toBe(gold);
    expect(tierFor(ladder, standing(1_000_000))).toBe(platinum);
  });

  it('gives no tier when even the lowest threshold is not met, or there are no tiers', () => {
    expect(tierFor([silver, gold], standing(10))).toBeNull();
    expect(tierFor([], standing(10_000))).toBeNull();
  });

  it('reads each tier on its own basis and orders by rank, not threshold', () => {
    // Gold needs 800 points in the last year; Silver needs 1000 lifetime points.
    const mixed = [bronze, silver, tier('gold', 2, 800, 'qualifying', 365)];
    expect(tierFor(mixed, standing(5000, 100))?.id).toBe('silver');
    expect(tierFor(mixed, standing(900, 850))?.id).toBe('gold');
    expect(tierFor(mixed, standing(50, 50))?.id).toBe('bronze');
  });

  it('takes qualifying points per window length when tiers use different windows', () => {
    const windows = [bronze, tier('silver', 1, 500, 'qualifying', 90), tier('gold', 2, 2000, 'qualifying', 365)];
    expect(qualifyingWindows(windows)).toEqual([90, 365]);
    expect(tierFor(windows, standing(0, { 90: 600, 365: 1500 }))?.id).toBe('silver');
    expect(tierFor(windows, standing(0, { 90: 100, 365: 2500 }))?.id).toBe('gold');
    expect(() => tierFor(windows, standing(0, { 365: 2500 }))).toThrow(RangeError);
  });

  it('reads a qualifying tier without a window as counting every point ever', () => {
    const noWindow = [bronze, tier('silver', 1, 1000, 'qualifying', null)];
    expect(qualifyingWindows(noWindow)).toEqual([]);
    expect(tierFor(noWindow, standing(1200, {}))?.id).toBe('silver');
    expect(tierFor(noWindow, standing(900, 5000))?.id).toBe('bronze');
  });
});

describe('nextTier', () => {
  it('names the tier above the one held and the points still missing on its basis', () => {
    expect(nextTier(ladder, silver, standing(3200))).toEqual({ tier: gold, points_needed: 1800 });
    expect(nextTier(ladder, null, standing(0))).toEqual({ tier: bronze, points_needed: 0 });
    expect(nextTier(ladder, platinum, standing(50_000))).toBeNull();
    // Gold kept by a no-downgrade policy while points have fallen back: the next step is still platinum.
    expect(nextTier(ladder, gold, standing(10))).toEqual({ tier: platinum, points_needed: 19_990 });
  });
});

describe('downgradeTarget', () => {
  it('never holds an upgrade back', () => {
    for (const policy of ['never', 'period_end', 'one_step'] as const) {
      expect(downgradeTarget(silver, platinum, policy, ladder)).toBe(platinum);
      expect(downgradeTarget(null, gold, policy, ladder)).toBe(gold);
      expect(downgradeTarget(gold, gold, policy, ladder)).toBe(gold);
    }
  });

  it('keeps the tier under never', () => {
    expect(downgradeTarget(platinum, bronze, 'never', ladder)).toBe(platinum);
    expect(downgradeTarget(gold, null, 'never', ladder)).toBe(gold);
  });

  it('moves straight to the earned tier at period end', () => {
    expect(downgradeTarget(platinum, bronze, 'period_end', ladder)).toBe(bronze);
    expect(downgradeTarget(silver, null, 'period_end', [silver, gold])).toBeNull();
  });

  it('drops one rank at most under one_step, and not below the earned tier', () => {
    expect(downgradeTarget(platinum, bronze, 'one_step', ladder)).toBe(gold);
    expect(downgradeTarget(platinum, null, 'one_step', ladder)).toBe(gold);
    expect(downgradeTarget(silver, bronze, 'one_step', ladder)).toBe(bronze);
    expect(downgradeTarget(bronze, null, 'one_step', ladder)).toBeNull();
    // Ranks need not be consecutive: the step is to the next rank that exists.
    expect(downgradeTarget(platinum, null, 'one_step', [bronze, silver, platinum])).toBe(silver);
  });
});

describe('tier properties', () => {
  const ladderArb = fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 6 }).chain((ranks) =>
    fc.tuple(
      ...ranks.map((rank) =>
        fc
          .record({
            threshold: fc.integer({ min: 0, max: 10_000 }),
            basis: fc.constantFrom('lifetime' as const, 'qualifying' as const),
            window_days: fc.constantFrom(90, 365),
          })
          .map(({ threshold, basis, window_days }) => tier(`t${rank}`, rank, threshold, basis, window_days)),
      ),
    ),
  );
  const pointsArb = fc.record({
    lifetime: fc.integer({ min: 0, max: 12_000 }),
    window90: fc.integer({ min: 0, max: 12_000 }),
    window365: fc.integer({ min: 0, max: 12_000 }),
  });
  const standingOf = (points: { lifetime: number; window90: number; window365: number }) =>
    standing(points.lifetime, { 90: points.window90, 365: points.window365 });
  const rankOf = (result: TierDefinition | null) => (result === null ? -1 : result.rank);

  it('never gives a lower tier for more points', () => {
    fc.assert(
      fc.property(ladderArb, pointsArb, pointsArb, (tiers, base, more) => {
        const larger = {
          lifetime: base.lifetime + more.lifetime,
          window90: base.window90 + more.window90,
          window365: base.window365 + more.window365,
        };
        expect(rankOf(tierFor(tiers, standingOf(larger)))).toBeGreaterThanOrEqual(
          rankOf(tierFor(tiers, standingOf(base))),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('gives a tier whose threshold is met, with no higher-ranked tier met', () => {
    fc.assert(
      fc.property(ladderArb, pointsArb, (tiers, points) => {
        const held = standingOf(points);
        const result = tierFor(tiers, held);
        const met = (candidate: TierDefinition) =>
          (candidate.basis === 'lifetime'
            ? points.lifetime
            : candidate.window_days === 90
              ? points.window90
              : points.window365) >= candidate.threshold;
        if (result !== null) expect(met(result)).toBe(true);
        expect(tiers.filter((candidate) => candidate.rank > rankOf(result) && met(candidate))).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps reviews between the earned tier and the held one, one_step dropping at most one rung', () => {
    fc.assert(
      fc.property(
        ladderArb.chain((tiers) =>
          fc.tuple(
            fc.constant(tiers),
            fc.option(fc.constantFrom(...tiers), { nil: null }),
            fc.option(fc.constantFrom(...tiers), { nil: null }),
            fc.constantFrom<DowngradePolicy>('never', 'period_end', 'one_step'),
          ),
        ),
        ([tiers, current, computed, policy]) => {
          const target = downgradeTarget(current, computed, policy, tiers);
          expect(rankOf(target)).toBeGreaterThanOrEqual(rankOf(computed));
          expect(rankOf(target)).toBeLessThanOrEqual(Math.max(rankOf(current), rankOf(computed)));
          if (policy === 'never') expect(rankOf(target)).toBeGreaterThanOrEqual(rankOf(current));
          // Rungs of the ladder, "no tier" being the one below the lowest.
          const rungOf = (held: TierDefinition | null) =>
            held === null ? 0 : 1 + tiers.filter((candidate) => candidate.rank < held.rank).length;
          if (policy === 'one_step') expect(rungOf(current) - rungOf(target)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
