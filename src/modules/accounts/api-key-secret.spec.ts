import fc from 'fast-check';
import {
  apiKeyMatches,
  displayPrefix,
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
  parseApiKey,
} from './api-key-secret';

const TENANT = '3f2a9c1e-7b4d-4e8f-a1b2-c3d4e5f60718';
const OTHER_TENANT = '00000000-0000-4000-8000-000000000001';

describe('API key strings', () => {
  it('are bk_<tenant>_<prefix>_<secret> and name their tenant and prefix', () => {
    const { key, prefix, secretHash } = generateApiKey(TENANT);
    expect(key).toMatch(/^bk_[A-Za-z0-9_-]{22}_[2-9a-hjkmnp-z]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`${displayPrefix(TENANT, prefix)}_`)).toBe(true);
    expect(parseApiKey(key)).toEqual({ tenantId: TENANT, prefix });
    expect(secretHash).toBe(hashApiKey(key));
    expect(secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(looksLikeApiKey(key)).toBe(true);
  });

  it('round-trip any tenant uuid and never repeat', () => {
    fc.assert(
      fc.property(fc.uuid(), (tenantId) => {
        const first = generateApiKey(tenantId);
        const second = generateApiKey(tenantId);
        expect(parseApiKey(first.key)?.tenantId).toBe(tenantId.toLowerCase());
        expect(first.key).not.toBe(second.key);
      }),
      { numRuns: 200 },
    );
  });

  it('show the tenant and prefix in the display form but never the secret', () => {
    const { key, prefix } = generateApiKey(TENANT);
    const display = displayPrefix(TENANT, prefix);
    expect(display).toMatch(/^bk_[A-Za-z0-9_-]{22}_[2-9a-hjkmnp-z]{8}$/);
    expect(key.slice(display.length + 1)).toHaveLength(43);
  });

  it.each([
    ['empty', ''],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.e30.sig'],
    ['no secret', `bk_${'A'.repeat(22)}_abcdefgh`],
    ['short secret', `bk_${'A'.repeat(22)}_abcdefgh_${'x'.repeat(42)}`],
    ['look-alike characters in the prefix', `bk_${'A'.repeat(22)}_abcdef0l_${'x'.repeat(43)}`],
    ['padding in the tenant part', `bk_${'A'.repeat(20)}==_abcdefgh_${'x'.repeat(43)}`],
    ['a trailing newline', `${generateApiKey(TENANT).key}\n`],
  ])('refuse to parse %s', (_name, text) => {
    expect(parseApiKey(text)).toBeNull();
  });

  it('refuse a second spelling of the same tenant bytes', () => {
    const { key } = generateApiKey(TENANT);
    const tenantPart = key.slice(3, 25);
    // The last base64url character carries 2 unused bits; flipping them keeps the bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(tenantPart[21]);
    const respelled = tenantPart.slice(0, 21) + alphabet[last ^ 1];
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(tenantPart, 'base64url'));
    expect(parseApiKey(key.replace(tenantPart, respelled))).toBeNull();
  });

  it('match only their own hash, so any edit (the tenant part included) fails', () => {
    const { key, secretHash } = generateApiKey(TENANT);
    expect(apiKeyMatches(key, secretHash)).toBe(true);
    const otherTenantPart = displayPrefix(OTHER_TENANT, 'abcdefgh').slice(3, 25);
    const swapped = `bk_${otherTenantPart}${key.slice(25)}`;
    expect(parseApiKey(swapped)?.tenantId).toBe(OTHER_TENANT);
    expect(apiKeyMatches(swapped, secretHash)).toBe(false);
    expect(apiKeyMatches(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, secretHash)).toBe(false);
    expect(apiKeyMatches(key, null)).toBe(false);
    expect(apiKeyMatches(key, undefined)).toBe(false);
    expect(apiKeyMatches(key, 'not a hash')).toBe(false);
  });

  it('need a tenant uuid to be generated', () => {
    expect(() => generateApiKey('tenant-1')).toThrow(/uuid/);
  });
});
