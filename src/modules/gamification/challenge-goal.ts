import type { FieldError } from '../../common/errors/domain-error';
import { CRITERIA_LIMITS, fieldReader } from './achievement-criteria';

/**
 * A challenge's goal. A personal challenge sets it for each participant; a community challenge
 * sets one shared goal that every participant's contributions add up to.
 */
export type ChallengeGoal =
  { type: 'activity_count'; activity_type: string; count: number } | { type: 'points_earned'; points: number };

export type GoalType = ChallengeGoal['type'];
export const GOAL_TYPES: readonly GoalType[] = ['activity_count', 'points_earned'];

export const CHALLENGE_KINDS = ['personal', 'community'] as const;
export type ChallengeKind = (typeof CHALLENGE_KINDS)[number];

/** `explicit`: customers join with POST /api/challenges/{id}/join; `automatic`: their first contribution joins them. */
export const JOIN_MODES = ['explicit', 'automatic'] as const;
export type JoinMode = (typeof JOIN_MODES)[number];

export type ChallengeStatus = 'upcoming' | 'active' | 'ended' | 'completed';

/** A community goal is shared by thousands: it may be far larger than a personal one. */
const GOAL_MAX = 1_000_000_000;

const FIELDS: Record<GoalType, readonly string[]> = {
  activity_count: ['type', 'activity_type', 'count'],
  points_earned: ['type', 'points'],
};

/**
 * Checks `input` as a goal; errors name fields under `path` (e.g. `goal.count`). A completed
 * challenge records a `challenge_completed` activity, so a goal counting those would feed itself.
 */
export function parseGoal(input: unknown, path = 'goal'): { goal: ChallengeGoal | null; errors: FieldError[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { goal: null, errors: [{ field: path, message: 'must be an object' }] };
  }
  const raw = input as Record<string, unknown>;
  const type = raw.type as GoalType;
  if (!GOAL_TYPES.includes(type)) {
    return { goal: null, errors: [{ field: `${path}.type`, message: `must be one of ${GOAL_TYPES.join(', ')}` }] };
  }
  const errors: FieldError[] = [];
  const read = fieldReader(raw, path, errors);
  for (const field of Object.keys(raw)) {
    if (!FIELDS[type].includes(field)) read.fail(field, `is not a field of ${type} goals`);
  }
  const goal: ChallengeGoal =
    type === 'activity_count'
      ? {
          type,
          activity_type: read.activityType('activity_type', undefined, ['challenge_completed']),
          count: read.integer('count', 1, Math.max(GOAL_MAX, CRITERIA_LIMITS.countMax)),
        }
      : { type, points: read.integer('points', 1, GOAL_MAX) };
  return errors.length ? { goal: null, errors } : { goal, errors };
}

export function targetOf(goal: ChallengeGoal): number {
  return goal.type === 'activity_count' ? goal.count : goal.points;
}

/** How much an activity moves the goal: one matching activity, or the points it earned. */
export function contributionOf(goal: ChallengeGoal, activity: { type: string; points: number }): number {
  if (activity.type === 'challenge_completed') return 0;
  if (goal.type === 'activity_count') return activity.type === goal.activity_type ? 1 : 0;
  return Math.max(0, activity.points);
}

export interface ChallengeWindow {
  startsAt: Date;
  endsAt: Date;
  joinMode: JoinMode;
}

/**
 * Whether an activity that happened at `occurredAt` counts: inside the time box [starts_at,
 * ends_at), and, for a challenge joined explicitly, not before the customer joined (an automatic
 * challenge counts from the start: the customer is in it from their first contribution anyway).
 */
export function countsTowards(challenge: ChallengeWindow, occurredAt: Date, joinedAt: Date | null): boolean {
  if (occurredAt < challenge.startsAt || occurredAt >= challenge.endsAt) return false;
  if (challenge.joinMode === 'automatic') return true;
  return joinedAt !== null && occurredAt >= joinedAt;
}

export function statusOf(
  challenge: { startsAt: Date; endsAt: Date; completedAt: Date | null },
  now: Date,
): ChallengeStatus {
  if (challenge.completedAt !== null) return 'completed';
  if (now < challenge.startsAt) return 'upcoming';
  return now < challenge.endsAt ? 'active' : 'ended';
}
