import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Rotating check-in codes for community events, shown as a QR code at the venue. A code names
 * its event and a time step and carries an HMAC-SHA256 over the tenant, the event and the step,
 * so it cannot be forged, cannot be replayed at another event or in another tenant, and stops
 * working shortly after the screen moved on to the next one. Pure: no I/O, the clock is passed in.
 *
 * Format: `ev1.<event id>.<step>.<base64url HMAC>`; the step is `floor(unix seconds / rotation)`.
 */

const VERSION = 'ev1';
const MAC_BYTES = 32;
const CODE = /^ev1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;
/** API replicas' clocks may differ a little: a code minted by one a moment ahead is still taken. */
const CLOCK_SKEW_MS = 5_000;

export interface EventCodeScope {
  tenantId: string;
  eventId: string;
}

export interface IssuedEventCode {
  code: string;
  /** When a display should show the next code. */
  rotatesAt: Date;
  /** The end of the grace period: the code is refused from then on. */
  expiresAt: Date;
}

export type EventCodeRefusal = 'malformed' | 'forged' | 'other_event' | 'expired' | 'not_yet_valid';

export type EventCodeVerdict = { valid: true; step: number } | { valid: false; reason: EventCodeRefusal };

/**
 * The HMAC key: from EVENT_CODE_SECRET, or (outside production, where configuration allows its
 * absence) derived from the JWT secret under a label of its own, so the two never share a key.
 */
export function eventCodeKey(secret: string | undefined, jwtSecret: string): Buffer {
  return secret
    ? createHmac('sha256', 'beacon event check-in codes').update(secret).digest()
    : createHmac('sha256', 'beacon event check-in codes derived from JWT_SECRET').update(jwtSecret).digest();
}

const stepAt = (now: Date, rotationSeconds: number): number => Math.floor(now.getTime() / 1000 / rotationSeconds);

function macOf(key: Buffer, tenantId: string, eventId: string, step: number): Buffer {
  return createHmac('sha256', key).update(`${VERSION}|${tenantId}|${eventId}|${step}`).digest();
}

/** The code on screen at `now`: valid for its own period and the next one (the grace). */
export function issueEventCode(
  key: Buffer,
  scope: EventCodeScope,
  now: Date,
  rotationSeconds: number,
): IssuedEventCode {
  const eventId = scope.eventId.toLowerCase();
  const step = stepAt(now, rotationSeconds);
  const mac = macOf(key, scope.tenantId.toLowerCase(), eventId, step).toString('base64url');
  return {
    code: `${VERSION}.${eventId}.${step}.${mac}`,
    rotatesAt: new Date((step + 1) * rotationSeconds * 1000),
    expiresAt: new Date((step + 2) * rotationSeconds * 1000),
  };
}

/**
 * Checks a presented code for this tenant's event at `now`: the current and the previous step
 * are accepted. The MAC is checked before anything the code claims is believed, and compared in
 * constant time.
 */
export function verifyEventCode(
  key: Buffer,
  scope: EventCodeScope,
  code: string,
  now: Date,
  rotationSeconds: number,
): EventCodeVerdict {
  const match = CODE.exec(code.trim());
  if (!match) return { valid: false, reason: 'malformed' };
  const [, eventId, stepText, macText] = match;
  const step = Number(stepText);
  const presented = Buffer.from(macText, 'base64url');
  const expected = macOf(key, scope.tenantId.toLowerCase(), eventId, step);
  if (presented.length !== MAC_BYTES || !timingSafeEqual(presented, expected)) {
    return { valid: false, reason: 'forged' };
  }
  if (eventId !== scope.eventId.toLowerCase()) return { valid: false, reason: 'other_event' };
  const current = stepAt(now, rotationSeconds);
  if (step < current - 1) return { valid: false, reason: 'expired' };
  if (step > current && step * rotationSeconds * 1000 - now.getTime() > CLOCK_SKEW_MS) {
    return { valid: false, reason: 'not_yet_valid' };
  }
  return { valid: true, step };
}
