import fc from 'fast-check';
import { contributionOf, countsTowards, parseGoal, statusOf, targetOf } from './challenge-goal';

describe('parseGoal', () => {
  it('accepts activity counts and points earned', () => {
    expect(parseGoal({ type: 'activity_count', activity_type: 'check_in', count: 10 })).toEqual({
      goal: { type: 'activity_count', activity_type: 'check_in', count: 10 },
      errors: [],
    });
    expect(parseGoal({ type: 'points_earned', points: 5000 }).errors).toEqual([]);
  });

  it('refuses goals that can never be reached or would feed themselves, naming the field', () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'activity_count', activity_type: 'check_in', count: 0 }, 'goal.count'],
      [{ type: 'activity_count', activity_type: 'flying', count: 3 }, 'goal.activity_type'],
      [{ type: 'activity_count', activity_type: 'challenge_completed', count: 3 }, 'goal.activity_type'],
      [{ type: 'points_earned', points: 0 }, 'goal.points'],
      [{ type: 'points_earned', points: 10, extra: true }, 'goal.extra'],
      [{ type: 'streak' }, 'goal.type'],
      [null, 'goal'],
    ];
    for (const [input, field] of cases) {
      expect(parseGoal(input).errors.map((error) => error.field)).toContain(field);
    }
  });
});

describe('contributions', () => {
  it('counts matching activities, or the points earned, never a completed challenge', () => {
    const visits = { type: 'activity_count' as const, activity_type: 'check_in', count: 5 };
    expect(contributionOf(visits, { type: 'check_in', points: 0 })).toBe(1);
    expect(contributionOf(visits, { type: 'purchase', points: 20 })).toBe(0);
    const points = { type: 'points_earned' as const, points: 100 };
    expect(contributionOf(points, { type: 'purchase', points: 20 })).toBe(20);
    expect(contributionOf(points, { type: 'challenge_completed', points: 50 })).toBe(0);
    expect(targetOf(visits)).toBe(5);
    expect(targetOf(points)).toBe(100);
  });

  it('counts only inside the time box, and for explicit joins only after joining (property)', () => {
    const startsAt = new Date('2025-05-01T00:00:00Z');
    const endsAt = new Date('2025-06-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2025-04-01T00:00:00Z'), max: new Date('2025-07-01T00:00:00Z'), noInvalidDate: true }),
        fc.option(fc.date({ min: startsAt, max: endsAt, noInvalidDate: true })),
        fc.constantFrom('explicit' as const, 'automatic' as const),
        (occurredAt, joinedAt, joinMode) => {
          const counted = countsTowards({ startsAt, endsAt, joinMode }, occurredAt, joinedAt);
          const inBox = occurredAt >= startsAt && occurredAt < endsAt;
          if (!inBox) expect(counted).toBe(false);
          if (joinMode === 'automatic') expect(counted).toBe(inBox);
          else expect(counted).toBe(inBox && joinedAt !== null && occurredAt >= joinedAt);
        },
      ),
    );
  });

  it('tells upcoming, active, ended and completed apart', () => {
    const challenge = {
      startsAt: new Date('2025-05-01T00:00:00Z'),
      endsAt: new Date('2025-06-01T00:00:00Z'),
      completedAt: null,
    };
    expect(statusOf(challenge, new Date('2025-04-30T23:59:59Z'))).toBe('upcoming');
    expect(statusOf(challenge, new Date('2025-05-01T00:00:00Z'))).toBe('active');
    expect(statusOf(challenge, new Date('2025-06-01T00:00:00Z'))).toBe('ended');
    expect(
      statusOf({ ...challenge, completedAt: new Date('2025-05-10T00:00:00Z') }, new Date('2025-05-20T00:00:00Z')),
    ).toBe('completed');
  });
});
