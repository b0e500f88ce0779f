import { eventCodeKey, issueEventCode, verifyEventCode } from './event-code';

const key = eventCodeKey('s'.repeat(32), 'jwt-secret-'.repeat(4));
const scope = { tenantId: '6f1c1d5e-3b9a-4c59-9d7e-0a1b2c3d4e5f', eventId: '0b8f2a1c-7d4e-4f60-8a9b-1c2d3e4f5a6b' };
const ROTATION = 60;
const at = (iso: string) => new Date(iso);

describe('event check-in codes', () => {
  const issuedAt = at('2030-05-01T18:00:10Z');
  const issued = issueEventCode(key, scope, issuedAt, ROTATION);

  it('accepts the code on screen, in its own period and through the next one', () => {
    expect(issued.code).toMatch(/^ev1\.0b8f2a1c-7d4e-4f60-8a9b-1c2d3e4f5a6b\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(issued.rotatesAt.toISOString()).toBe('2030-05-01T18:01:00.000Z');
    expect(issued.expiresAt.toISOString()).toBe('2030-05-01T18:02:00.000Z');
    expect(verifyEventCode(key, scope, issued.code, issuedAt, ROTATION).valid).toBe(true);
    expect(verifyEventCode(key, scope, issued.code, at('2030-05-01T18:01:59.999Z'), ROTATION).valid).toBe(true);
  });

  it('refuses it as expired once the grace period is over', () => {
    expect(verifyEventCode(key, scope, issued.code, issued.expiresAt, ROTATION)).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(verifyEventCode(key, scope, issued.code, at('2030-05-02T00:00:00Z'), ROTATION)).toEqual({
      valid: false,
      reason: 'expired',
    });
  });

  it('refuses a code whose signature was tampered with, or that claims a later step', () => {
    const [version, eventId, step, mac] = issued.code.split('.');
    const flipped = `${mac.slice(0, 10)}${mac[10] === 'A' ? 'B' : 'A'}${mac.slice(11)}`;
    expect(verifyEventCode(key, scope, [version, eventId, step, flipped].join('.'), issuedAt, ROTATION)).toEqual({
      valid: false,
      reason: 'forged',
    });
    const later = [version, eventId, String(Number(step) + 10), mac].join('.');
    expect(verifyEventCode(key, scope, later, issuedAt, ROTATION)).toEqual({ valid: false, reason: 'forged' });
  });

  it('refuses a code signed with another key', () => {
    const otherKey = eventCodeKey('x'.repeat(32), 'jwt-secret-'.repeat(4));
    const foreign = issueEventCode(otherKey, scope, issuedAt, ROTATION);
    expect(verifyEventCode(key, scope, foreign.code, issuedAt, ROTATION)).toEqual({ valid: false, reason: 'forged' });
  });

  it('refuses a genuine code of another event of the same tenant', () => {
    const other = issueEventCode(
      key,
      { ...scope, eventId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d' },
      issuedAt,
      ROTATION,
    );
    expect(verifyEventCode(key, scope, other.code, issuedAt, ROTATION)).toEqual({
      valid: false,
      reason: 'other_event',
    });
  });

  it('refuses a genuine code of the same event id presented in another tenant', () => {
    const elsewhere = issueEventCode(
      key,
      { ...scope, tenantId: '11111111-2222-4333-8444-555555555555' },
      issuedAt,
      ROTATION,
    );
    expect(verifyEventCode(key, scope, elsewhere.code, issuedAt, ROTATION)).toEqual({
      valid: false,
      reason: 'forged',
    });
  });

  it('refuses garbage without throwing', () => {
    for (const garbage of ['', 'hello', 'ev1...', `ev2${issued.code.slice(3)}`, `${issued.code}x`, '🎟️']) {
      expect(verifyEventCode(key, scope, garbage, issuedAt, ROTATION)).toEqual({ valid: false, reason: 'malformed' });
    }
  });

  it('tolerates a code minted a few seconds early by a replica whose clock runs ahead, not more', () => {
    const ahead = issueEventCode(key, scope, at('2030-05-01T18:01:00Z'), ROTATION);
    expect(verifyEventCode(key, scope, ahead.code, at('2030-05-01T18:00:57Z'), ROTATION).valid).toBe(true);
    expect(verifyEventCode(key, scope, ahead.code, at('2030-05-01T18:00:30Z'), ROTATION)).toEqual({
      valid: false,
      reason: 'not_yet_valid',
    });
  });

  it('derives distinct keys from the secret and, without one, from the JWT secret', () => {
    const derived = eventCodeKey(undefined, 'jwt-secret-'.repeat(4));
    expect(derived.equals(key)).toBe(false);
    expect(derived.equals(eventCodeKey(undefined, 'jwt-secret-'.repeat(4)))).toBe(true);
    expect(derived.equals(eventCodeKey(undefined, 'other-jwt-secret-'.repeat(4)))).toBe(false);
  });
});
