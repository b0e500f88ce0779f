import { TierDefinition } from '../loyalty/tiers/tier-evaluation';
import { tierProgress } from './tier-progress';

const tier = (id: string, rank: number, threshold: number, extra: Partial<TierDefinition> = {}): TierDefinition => ({
  id,
  name: id,
  rank,
  threshold,
  basis: 'lifetime',
  window_days: null,
  benefits: { earn_multiplier: 1 },
  ...extra,
});

const LADDER = [tier('bronze', 0, 0), tier('silver', 1, 1000), tier('gold', 2, 5000)];
const lifetime = (points: number) => ({ lifetime_points: points, qualifying_points_in_window: {} });

describe('tier progress', () => {
  it('puts an account with no recorded tier on the tier its points earn and measures within the band', () => {
    const progress = tierProgress(LADDER, null, lifetime(250));
    expect(progress.current?.id).toBe('bronze');
    expect(progress.next?.id).toBe('silver');
    expect(progress.points_to_next_tier).toBe(750);
    expect(progress.percent).toBe(25);
    expect(progress.basis).toBe('lifetime');
  });

  it('measures from the current threshold, not from zero', () => {
    const progress = tierProgress(LADDER, 'silver', lifetime(3000));
    expect(progress.next?.id).toBe('gold');
    expect(progress.points_to_next_tier).toBe(2000);
    expect(progress.percent).toBe(50);
  });

  it('keeps a held tier above what the points earn (no-downgrade) and says 100% at the top', () => {
    const kept = tierProgress(LADDER, 'gold', lifetime(10));
    expect(kept.current?.id).toBe('gold');
    expect(kept.next).toBeNull();
    expect(kept.points_to_next_tier).toBeNull();
    expect(kept.percent).toBe(100);
  });

  it('reports 100% when the next tier is already earned but not yet recorded', () => {
    const progress = tierProgress(LADDER, 'bronze', lifetime(1200));
    expect(progress.next?.id).toBe('silver');
    expect(progress.points_to_next_tier).toBe(0);
    expect(progress.percent).toBe(100);
  });

  it('counts qualifying points in the next tier’s window, from zero when the bases differ', () => {
    const ladder = [tier('member', 0, 0), tier('vip', 1, 800, { basis: 'qualifying', window_days: 365 })];
    const progress = tierProgress(ladder, 'member', {
      lifetime_points: 5000,
      qualifying_points_in_window: { 365: 200 },
    });
    expect(progress).toMatchObject({ basis: 'qualifying', window_days: 365, points: 200, points_to_next_tier: 600 });
    expect(progress.percent).toBe(25);
  });

  it('has no tier and 0% when the program has no tiers, or none is reached yet', () => {
    expect(tierProgress([], null, lifetime(100))).toMatchObject({ current: null, next: null, percent: 0 });
    const noEntry = tierProgress([tier('silver', 1, 1000)], null, lifetime(100));
    expect(noEntry).toMatchObject({ current: null, points_to_next_tier: 900, percent: 10 });
  });
});
