import { authenticator } from 'otplib';

/** RFC 6238 TOTP as authenticator apps do it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_STEP_SECONDS = 30;

/** One step either side is accepted, for clocks that drift and codes typed near a boundary. */
const TOTP_WINDOW = 1;

export function generateTotpSecret(): string {
  return authenticator.generateSecret(20);
}

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export function totpUri(secret: string, accountName: string, issuer: string): string {
  return authenticator.keyuri(accountName, issuer, secret);
}

/** The code an authenticator shows at `at` (for tests and tooling). */
export function totpCode(secret: string, at: number = Date.now()): string {
  return authenticator.clone({ epoch: at }).generate(secret);
}

/**
 * The time step whose code `code` is, within the accepted window around `at`, or null. Callers
 * remember the last accepted step so that a code cannot be used twice.
 */
export function matchingTotpStep(secret: string, code: string, at: number = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = authenticator.clone({ epoch: at, window: TOTP_WINDOW }).checkDelta(code, secret);
  if (delta === null) return null;
  return Math.floor(at / 1000 / TOTP_STEP_SECONDS) + delta;
}
