import fc from 'fast-check';
import { CheckinFacts, CheckinPolicy, gpsTolerance, impliedSpeedKmh, judgeCheckin } from './checkin-verdict';

const policy: CheckinPolicy = { maxAccuracyM: 100, cooldownMinutes: 60, maxPerDay: 10, maxSpeedKmh: 500 };

const clean: CheckinFacts = {
  accuracyM: 10,
  location: { inside: true },
  secondsSinceLastHere: null,
  verifiedToday: 0,
  previous: null,
};

describe('judgeCheckin', () => {
  it('verifies a check-in inside its geofence with nothing against it', () => {
    expect(judgeCheckin(clean, policy)).toEqual({ verified: true, reasons: [] });
  });

  it.each([
    ['no_location_found', { location: null }],
    ['outside_geofence', { location: { inside: false } }],
    ['accuracy_too_low', { accuracyM: 100.5 }],
    ['cooldown', { secondsSinceLastHere: 59 * 60 }],
    ['daily_limit', { verifiedToday: 10 }],
    ['impossible_travel', { previous: { distanceM: 100_000, secondsAgo: 600, accuracyM: 10 } }],
  ] as const)('refuses with %s', (reason, change) => {
    expect(judgeCheckin({ ...clean, ...change }, policy)).toEqual({ verified: false, reasons: [reason] });
  });

  it('gives every reason that applies, in a stable order', () => {
    const verdict = judgeCheckin(
      {
        accuracyM: 500,
        location: { inside: false },
        secondsSinceLastHere: 10,
        verifiedToday: 99,
        previous: { distanceM: 1_000_000, secondsAgo: 60, accuracyM: 5 },
      },
      policy,
    );
    expect(verdict).toEqual({
      verified: false,
      reasons: ['outside_geofence', 'accuracy_too_low', 'cooldown', 'daily_limit', 'impossible_travel'],
    });
  });

  it('accepts an accuracy exactly at the maximum and no accuracy at all', () => {
    expect(judgeCheckin({ ...clean, accuracyM: 100 }, policy).verified).toBe(true);
    expect(judgeCheckin({ ...clean, accuracyM: undefined }, policy).verified).toBe(true);
  });

  it('lets the cooldown end exactly after its minutes, and a cooldown of 0 never applies', () => {
    expect(judgeCheckin({ ...clean, secondsSinceLastHere: 3600 }, policy).verified).toBe(true);
    expect(judgeCheckin({ ...clean, secondsSinceLastHere: 0 }, { ...policy, cooldownMinutes: 0 }).verified).toBe(true);
  });

  it('allows the last check-in of the day below the limit', () => {
    expect(judgeCheckin({ ...clean, verifiedToday: 9 }, policy).verified).toBe(true);
  });

  it('is verified exactly when no reason applies (property)', () => {
    const facts = fc.record({
      accuracyM: fc.option(fc.double({ min: 0, max: 1000, noNaN: true }), { nil: undefined }),
      location: fc.option(fc.record({ inside: fc.boolean() }), { nil: null }),
      secondsSinceLastHere: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
      verifiedToday: fc.integer({ min: 0, max: 20 }),
      previous: fc.option(
        fc.record({
          distanceM: fc.double({ min: 0, max: 1e7, noNaN: true }),
          secondsAgo: fc.integer({ min: 0, max: 1e6 }),
          accuracyM: fc.option(fc.double({ min: 0, max: 1000, noNaN: true }), { nil: null }),
        }),
        { nil: null },
      ),
    });
    fc.assert(
      fc.property(facts, (input) => {
        const verdict = judgeCheckin(input, policy);
        expect(verdict.verified).toBe(verdict.reasons.length === 0);
        expect(new Set(verdict.reasons).size).toBe(verdict.reasons.length);
        if (!input.location) expect(verdict.reasons).toContain('no_location_found');
      }),
    );
  });
});

describe('gpsTolerance', () => {
  it('is the reported accuracy capped at the maximum, and 0 without one', () => {
    expect(gpsTolerance(25, policy)).toBe(25);
    expect(gpsTolerance(250, policy)).toBe(100);
    expect(gpsTolerance(undefined, policy)).toBe(0);
  });
});

describe('impliedSpeedKmh', () => {
  it('divides the distance beyond both accuracy radii by the time', () => {
    // 10 km in 60 s, less 2 × 50 m of accuracy: 9.9 km/min = 594 km/h.
    expect(impliedSpeedKmh({ distanceM: 10_000, secondsAgo: 60, accuracyM: 50 }, 50, policy)).toBeCloseTo(594, 6);
  });

  it('counts GPS jitter within the accuracy radii as no movement', () => {
    expect(impliedSpeedKmh({ distanceM: 80, secondsAgo: 0, accuracyM: 50 }, 40, policy)).toBe(0);
  });

  it('takes a gap under a second as one second', () => {
    expect(impliedSpeedKmh({ distanceM: 1000, secondsAgo: 0, accuracyM: null }, undefined, policy)).toBe(3600);
  });

  it('flags a flight-speed hop but not a drive across town', () => {
    const drive = judgeCheckin(
      { ...clean, previous: { distanceM: 15_000, secondsAgo: 20 * 60, accuracyM: 10 } },
      policy,
    );
    expect(drive.verified).toBe(true);
    const teleport = judgeCheckin(
      { ...clean, previous: { distanceM: 350_000, secondsAgo: 30 * 60, accuracyM: 10 } },
      policy,
    );
    expect(teleport.reasons).toEqual(['impossible_travel']);
  });
});
