/**
 * The verdict on a check-in, from facts PostGIS established (is the point inside the geofence,
 * how far is the previous check-in) and the customer's recent history. No I/O: every rule of
 * what makes a check-in count is here and unit-tested.
 */

export const CHECKIN_REASONS = [
  'no_location_found',
  'outside_geofence',
  'accuracy_too_low',
  'cooldown',
  'daily_limit',
  'impossible_travel',
] as const;

export type CheckinReason = (typeof CHECKIN_REASONS)[number];

export interface CheckinPolicy {
  /** Reported GPS accuracy (metres) beyond which a check-in cannot be verified; also the largest tolerance granted. */
  maxAccuracyM: number;
  /** Minutes before the same customer's check-in at the same location counts again (0: none). */
  cooldownMinutes: number;
  /** Verified check-ins a customer may make per day, in the tenant's time zone. */
  maxPerDay: number;
  /** Speed above which the trip from the previous verified check-in is impossible. */
  maxSpeedKmh: number;
}

export interface CheckinFacts {
  /** The reported accuracy radius in metres; undefined when the device gave none. */
  accuracyM: number | undefined;
  /** The location checked in at: named by the client, or found around the point. */
  location: { inside: boolean } | null;
  /** The customer's latest verified check-in at this location, seconds ago. */
  secondsSinceLastHere: number | null;
  /** The customer's verified check-ins since the start of today. */
  verifiedToday: number;
  /** The customer's latest verified check-in anywhere. */
  previous: { distanceM: number; secondsAgo: number; accuracyM: number | null } | null;
}

export interface CheckinVerdict {
  verified: boolean;
  reasons: CheckinReason[];
}

/**
 * How far outside a radius geofence a point may lie and still count: the device's reported
 * accuracy, capped at the policy's maximum. A fix without an accuracy gets no tolerance.
 */
export function gpsTolerance(accuracyM: number | undefined, policy: Pick<CheckinPolicy, 'maxAccuracyM'>): number {
  if (accuracyM === undefined) return 0;
  return Math.min(Math.max(accuracyM, 0), policy.maxAccuracyM);
}

/**
 * The speed (km/h) the customer would have needed since the previous verified check-in. Both
 * fixes may be off by their accuracy, so only the distance beyond both accuracy radii counts;
 * a gap under one second is taken as one second.
 */
export function impliedSpeedKmh(
  previous: NonNullable<CheckinFacts['previous']>,
  accuracyM: number | undefined,
  policy: Pick<CheckinPolicy, 'maxAccuracyM'>,
): number {
  const slack = gpsTolerance(accuracyM, policy) + gpsTolerance(previous.accuracyM ?? undefined, policy);
  const distanceM = Math.max(0, previous.distanceM - slack);
  return (distanceM / Math.max(previous.secondsAgo, 1)) * 3.6;
}

/** Every reason that applies, in a stable order; verified exactly when there is none. */
export function judgeCheckin(facts: CheckinFacts, policy: CheckinPolicy): CheckinVerdict {
  const reasons: CheckinReason[] = [];
  if (!facts.location) reasons.push('no_location_found');
  else if (!facts.location.inside) reasons.push('outside_geofence');
  if (facts.accuracyM !== undefined && facts.accuracyM > policy.maxAccuracyM) reasons.push('accuracy_too_low');
  if (
    policy.cooldownMinutes > 0 &&
    facts.secondsSinceLastHere !== null &&
    facts.secondsSinceLastHere < policy.cooldownMinutes * 60
  ) {
    reasons.push('cooldown');
  }
  if (facts.verifiedToday >= policy.maxPerDay) reasons.push('daily_limit');
  if (facts.previous && impliedSpeedKmh(facts.previous, facts.accuracyM, policy) > policy.maxSpeedKmh) {
    reasons.push('impossible_travel');
  }
  return { verified: reasons.length === 0, reasons };
}
