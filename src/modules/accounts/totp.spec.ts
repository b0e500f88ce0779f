import { generateTotpSecret, matchingTotpStep, totpCode, totpUri } from './totp';

describe('TOTP', () => {
  const secret = generateTotpSecret();
  const now = 1_800_000_015_000;
  const step = Math.floor(now / 30_000);

  it('accepts the current code and one step either side, naming the step it belongs to', () => {
    expect(matchingTotpStep(secret, totpCode(secret, now), now)).toBe(step);
    expect(matchingTotpStep(secret, totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchingTotpStep(secret, totpCode(secret, now + 30_000), now)).toBe(step + 1);
  });

  it('refuses older codes, other secrets and malformed input', () => {
    expect(matchingTotpStep(secret, totpCode(secret, now - 90_000), now)).toBeNull();
    expect(matchingTotpStep(generateTotpSecret(), totpCode(secret, now), now)).toBeNull();
    expect(matchingTotpStep(secret, 'abcdef', now)).toBeNull();
    expect(matchingTotpStep(secret, '1234567', now)).toBeNull();
  });

  it('describes the secret as an otpauth URI', () => {
    const uri = totpUri(secret, 'ann@example.com', 'Beacon (demo)');
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    expect(new URL(uri).searchParams.get('issuer')).toBe('Beacon (demo)');
  });
});
