import type { FieldError } from '../../common/errors/domain-error';
import { RULE_TYPES } from '../loyalty/rules/rule-definition';
import { STREAK_UNITS, StreakUnit } from './streaks';

/**
 * What unlocks an achievement (API.md, "Achievement criteria"), validated so that a badge can
 * always be earned: a criteria that can never be met (an unknown activity type, a count of zero)
 * is refused with the field that makes it so. The JSON shape is the public contract, stored as is.
 */
export type AchievementCriteria =
  | { type: 'activity_count'; activity_type: string; count: number }
  | { type: 'points_total'; points: number }
  /** Distinct locations among the customer's activities of `activity_type` (check-ins by default). */
  | { type: 'distinct_locations'; activity_type: string; count: number }
  | { type: 'events_attended'; count: number }
  | { type: 'streak'; activity_type: string; unit: StreakUnit; count: number }
  | { type: 'tier_reached'; tier_id: string };

export type CriteriaType = AchievementCriteria['type'];
export const CRITERIA_TYPES: readonly CriteriaType[] = [
  'activity_count',
  'points_total',
  'distinct_locations',
  'events_attended',
  'streak',
  'tier_reached',
];

export const CRITERIA_LIMITS = {
  countMax: 1_000_000,
  pointsMax: 1_000_000_000,
  /** Ten years of days, or of weeks: longer streaks are not a goal anyone reaches. */
  streakDaysMax: 3650,
  streakWeeksMax: 520,
} as const;

const CUSTOM_TYPE = /^custom:[a-z0-9][a-z0-9_.-]{0,49}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The activity types the engine records (as POST /api/activities accepts them). */
export function isKnownActivityType(type: unknown): type is string {
  if (typeof type !== 'string') return false;
  return CUSTOM_TYPE.test(type) || (type !== 'custom' && (RULE_TYPES as readonly string[]).includes(type));
}

const FIELDS: Record<CriteriaType, readonly string[]> = {
  activity_count: ['type', 'activity_type', 'count'],
  points_total: ['type', 'points'],
  distinct_locations: ['type', 'activity_type', 'count'],
  events_attended: ['type', 'count'],
  streak: ['type', 'activity_type', 'unit', 'count'],
  tier_reached: ['type', 'tier_id'],
};

export interface ParsedCriteria {
  criteria: AchievementCriteria | null;
  errors: FieldError[];
}

/** A field checker that records errors under `path.field`. */
export function fieldReader(input: Record<string, unknown>, path: string, errors: FieldError[]) {
  const fail = (field: string, message: string) => errors.push({ field: `${path}.${field}`, message });
  return {
    fail,
    integer(field: string, min: number, max: number): number {
      const value = input[field];
      if (value === undefined) fail(field, 'is required');
      else if (typeof value !== 'number' || !Number.isInteger(value)) fail(field, 'must be an integer');
      else if (value < min) fail(field, `must be at least ${min}`);
      else if (value > max) fail(field, `must be at most ${max}`);
      return value as number;
    },
    activityType(field: string, fallback?: string, refuse: readonly string[] = []): string {
      const value = input[field] ?? fallback;
      if (value === undefined) fail(field, 'is required');
      else if (!isKnownActivityType(value)) fail(field, 'must be a known activity type or custom:<name>');
      else if (refuse.includes(value)) fail(field, `cannot be ${value}`);
      return value as string;
    },
  };
}

/** Checks `input` as achievement criteria; errors name fields under `path` (e.g. `criteria.count`). */
export function parseCriteria(input: unknown, path = 'criteria'): ParsedCriteria {
  const errors: FieldError[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { criteria: null, errors: [{ field: path, message: 'must be an object' }] };
  }
  const raw = input as Record<string, unknown>;
  const type = raw.type as CriteriaType;
  if (!CRITERIA_TYPES.includes(type)) {
    return {
      criteria: null,
      errors: [{ field: `${path}.type`, message: `must be one of ${CRITERIA_TYPES.join(', ')}` }],
    };
  }
  const read = fieldReader(raw, path, errors);
  for (const field of Object.keys(raw)) {
    if (!FIELDS[type].includes(field)) read.fail(field, `is not a field of ${type} criteria`);
  }
  let criteria: AchievementCriteria;
  switch (type) {
    case 'activity_count':
      criteria = {
        type,
        activity_type: read.activityType('activity_type'),
        count: read.integer('count', 1, CRITERIA_LIMITS.countMax),
      };
      break;
    case 'points_total':
      criteria = { type, points: read.integer('points', 1, CRITERIA_LIMITS.pointsMax) };
      break;
    case 'distinct_locations':
      criteria = {
        type,
        activity_type: read.activityType('activity_type', 'check_in'),
        count: read.integer('count', 1, CRITERIA_LIMITS.countMax),
      };
      break;
    case 'events_attended':
      criteria = { type, count: read.integer('count', 1, CRITERIA_LIMITS.countMax) };
      break;
    case 'streak': {
      const unit = raw.unit as StreakUnit;
      if (!STREAK_UNITS.includes(unit)) read.fail('unit', `must be one of ${STREAK_UNITS.join(', ')}`);
      const max = unit === 'week' ? CRITERIA_LIMITS.streakWeeksMax : CRITERIA_LIMITS.streakDaysMax;
      criteria = {
        type,
        activity_type: read.activityType('activity_type'),
        unit,
        count: read.integer('count', 1, max),
      };
      break;
    }
    case 'tier_reached':
      if (typeof raw.tier_id !== 'string' || !UUID.test(raw.tier_id)) read.fail('tier_id', 'must be a UUID');
      criteria = { type, tier_id: String(raw.tier_id).toLowerCase() };
      break;
  }
  return errors.length ? { criteria: null, errors } : { criteria, errors };
}

/** What an activity tells about the customer, enough to know which criteria it may advance. */
export interface ActivitySignal {
  /**
   * null for points earned by something that is no progress in itself (a refund's own rules):
   * they move criteria on points and tiers, and count as no activity of any type.
   */
  type: string | null;
  locationId: string | null;
  points: number;
  /** The account's tier after the activity. */
  tierId: string | null;
}

/**
 * Whether an activity can move this criteria at all: only those are evaluated on the hot path.
 * Points and tiers move with any earning activity (a challenge bonus, achievement points).
 */
export function isRelevant(criteria: AchievementCriteria, activity: ActivitySignal): boolean {
  switch (criteria.type) {
    case 'activity_count':
    case 'streak':
      return activity.type === criteria.activity_type;
    case 'distinct_locations':
      return activity.type === criteria.activity_type && activity.locationId !== null;
    case 'events_attended':
      return activity.type === 'event_attendance';
    case 'points_total':
      return activity.points > 0;
    case 'tier_reached':
      return activity.tierId !== null;
  }
}

/** The customer's record as far as the criteria at hand need it (see `factsNeeded`). */
export interface CustomerFacts {
  /** Activities by type. */
  activityCounts: Readonly<Record<string, number>>;
  /** Distinct locations by activity type. */
  distinctLocations: Readonly<Record<string, number>>;
  /** Distinct events attended. */
  eventsAttended: number;
  /** Points earned over the customer's life, all programs. */
  lifetimePoints: number;
  /** Tiers whose rank the customer's current tier (in that tier's program) reaches. */
  tiersReached: ReadonlySet<string>;
  /** Longest streak, by `streakKey`. */
  longestStreaks: Readonly<Record<string, number>>;
}

export const streakKey = (activityType: string, unit: StreakUnit): string => `${activityType}/${unit}`;

/** What to read from the database to evaluate these criteria, and nothing more. */
export interface FactsNeeded {
  activityTypes: string[];
  locationTypes: string[];
  events: boolean;
  points: boolean;
  tierIds: string[];
  streaks: Array<{ activityType: string; unit: StreakUnit }>;
}

export function factsNeeded(criteria: readonly AchievementCriteria[]): FactsNeeded {
  const needed = {
    activityTypes: new Set<string>(),
    locationTypes: new Set<string>(),
    events: false,
    points: false,
    tierIds: new Set<string>(),
    streaks: new Map<string, { activityType: string; unit: StreakUnit }>(),
  };
  for (const entry of criteria) {
    if (entry.type === 'activity_count') needed.activityTypes.add(entry.activity_type);
    if (entry.type === 'distinct_locations') needed.locationTypes.add(entry.activity_type);
    if (entry.type === 'events_attended') needed.events = true;
    if (entry.type === 'points_total') needed.points = true;
    if (entry.type === 'tier_reached') needed.tierIds.add(entry.tier_id);
    if (entry.type === 'streak') {
      needed.streaks.set(streakKey(entry.activity_type, entry.unit), {
        activityType: entry.activity_type,
        unit: entry.unit,
      });
    }
  }
  return {
    activityTypes: [...needed.activityTypes],
    locationTypes: [...needed.locationTypes],
    events: needed.events,
    points: needed.points,
    tierIds: [...needed.tierIds],
    streaks: [...needed.streaks.values()],
  };
}

export interface Progress {
  /** Never above `target`: a badge is complete, not over-complete. */
  current: number;
  target: number;
}

/** How far the customer is towards the criteria. */
export function progressOf(criteria: AchievementCriteria, facts: CustomerFacts): Progress {
  const towards = (current: number, target: number): Progress => ({
    current: Math.max(0, Math.min(current, target)),
    target,
  });
  switch (criteria.type) {
    case 'activity_count':
      return towards(facts.activityCounts[criteria.activity_type] ?? 0, criteria.count);
    case 'points_total':
      return towards(facts.lifetimePoints, criteria.points);
    case 'distinct_locations':
      return towards(facts.distinctLocations[criteria.activity_type] ?? 0, criteria.count);
    case 'events_attended':
      return towards(facts.eventsAttended, criteria.count);
    case 'streak':
      return towards(facts.longestStreaks[streakKey(criteria.activity_type, criteria.unit)] ?? 0, criteria.count);
    case 'tier_reached':
      return towards(facts.tiersReached.has(criteria.tier_id) ? 1 : 0, 1);
  }
}

export function isMet(criteria: AchievementCriteria, facts: CustomerFacts): boolean {
  const progress = progressOf(criteria, facts);
  return progress.current >= progress.target;
}
