import { checkWindow, describeConflict, ladderConflict, readBenefits, TierRung } from './tier-ladder';

const rung = (
  name: string,
  rank: number,
  threshold: number,
  basis: TierRung['basis'] = 'lifetime',
  window_days: number | null = null,
): TierRung => ({
  name,
  rank,
  threshold,
  basis,
  window_days,
});

describe('checkWindow', () => {
  it('requires a window for qualifying tiers and forbids one for lifetime tiers', () => {
    expect(checkWindow('qualifying', 365)).toEqual([]);
    expect(checkWindow('lifetime', null)).toEqual([]);
    expect(checkWindow('qualifying', null)).toEqual([
      { field: 'window_days', message: expect.stringMatching(/required/) },
    ]);
    expect(checkWindow('lifetime', 365)).toEqual([
      { field: 'window_days', message: expect.stringMatching(/left out/) },
    ]);
  });
});

describe('readBenefits', () => {
  it('always holds an earn multiplier, 1 when not given', () => {
    expect(readBenefits(undefined).value).toEqual({ earn_multiplier: 1 });
    expect(readBenefits({}).value).toEqual({ earn_multiplier: 1 });
    expect(readBenefits({ earn_multiplier: null }).value).toEqual({ earn_multiplier: 1 });
    expect(readBenefits({ earn_multiplier: 1.5 }).value).toEqual({ earn_multiplier: 1.5 });
    expect(readBenefits({ earn_multiplier: 10 }).value).toEqual({ earn_multiplier: 10 });
  });

  it('keeps free-form perks that are strings, numbers or booleans; null drops one', () => {
    expect(
      readBenefits({
        earn_multiplier: 2,
        free_shipping: true,
        lounge: '2 visits a year',
        birthday_bonus: 100,
        gone: null,
      }).value,
    ).toEqual({ earn_multiplier: 2, free_shipping: true, lounge: '2 visits a year', birthday_bonus: 100 });
  });

  it.each([
    ['a multiplier below 1', { earn_multiplier: 0.5 }, 'benefits.earn_multiplier'],
    ['a multiplier above 10', { earn_multiplier: 10.5 }, 'benefits.earn_multiplier'],
    ['a multiplier finer than 4 decimals', { earn_multiplier: 1.00001 }, 'benefits.earn_multiplier'],
    ['a multiplier as a string', { earn_multiplier: '2' }, 'benefits.earn_multiplier'],
    ['a list', { perks: ['a'] }, 'benefits.perks'],
    ['an object', { nested: { a: 1 } }, 'benefits.nested'],
    ['a key that is not snake_case', { 'Free Shipping': true }, 'benefits.Free Shipping'],
    ['a long text', { note: 'x'.repeat(501) }, 'benefits.note'],
    ['too many perks', Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`perk_${i}`, true])), 'benefits'],
    ['a string', 'gold', 'benefits'],
  ])('refuses %s', (_case, input, field) => {
    const result = readBenefits(input);
    expect(result.value).toBeUndefined();
    expect(result.errors.map((error) => error.field)).toContain(field);
  });
});

describe('ladderConflict', () => {
  it('accepts a ladder whose thresholds rise (or stay) with rank on each basis', () => {
    expect(ladderConflict([])).toBeNull();
    expect(
      ladderConflict([rung('Bronze', 0, 0), rung('Silver', 1, 500), rung('Gold', 2, 500), rung('Plat', 3, 2000)]),
    ).toBeNull();
  });

  it('finds a higher rank that is cheaper than a lower one on the same basis, whatever the input order', () => {
    const conflict = ladderConflict([rung('Gold', 2, 800), rung('Bronze', 0, 0), rung('Silver', 1, 1000)]);
    expect(conflict).toEqual({ lower: rung('Silver', 1, 1000), higher: rung('Gold', 2, 800) });
    expect(describeConflict(conflict!)).toBe(
      'a higher tier must not be easier to reach: Gold (rank 2) would need 800 lifetime points, less than Silver ' +
        '(rank 1) below it (1000 lifetime points)',
    );
    // Not only neighbours: a gap in between does not hide the problem.
    expect(ladderConflict([rung('A', 0, 1000), rung('B', 5, 2000, 'qualifying', 365), rung('C', 9, 10)])).toEqual({
      lower: rung('A', 0, 1000),
      higher: rung('C', 9, 10),
    });
  });

  it('does not compare thresholds on different bases', () => {
    expect(ladderConflict([rung('Silver', 1, 5000), rung('Gold', 2, 800, 'qualifying', 365)])).toBeNull();
    expect(ladderConflict([rung('Silver', 1, 800, 'qualifying', 365), rung('Gold', 2, 500)])).toBeNull();
  });

  it('compares qualifying tiers when the higher one counts at least as long a window', () => {
    expect(
      ladderConflict([rung('S', 1, 1000, 'qualifying', 365), rung('G', 2, 900, 'qualifying', 365)]),
    ).not.toBeNull();
    expect(ladderConflict([rung('S', 1, 1000, 'qualifying', 90), rung('G', 2, 900, 'qualifying', 365)])).not.toBeNull();
    // 500 points in 90 days is a different demand from 1 000 in a year, not a cheaper one.
    expect(ladderConflict([rung('S', 1, 1000, 'qualifying', 365), rung('G', 2, 500, 'qualifying', 90)])).toBeNull();
  });
});
