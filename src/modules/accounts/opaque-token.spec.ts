import { hashSecret, mintToken, parseToken, secretMatches } from './opaque-token';

const TENANT = '3f2b8a4e-9c1d-4e7f-8a6b-1c2d3e4f5a6b';

describe('opaque tokens', () => {
  it('carries the tenant and the row id, and keeps only a hash of the secret', () => {
    const minted = mintToken('rt', TENANT);
    expect(minted.token).toMatch(/^rt_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(parseToken('rt', minted.token)).toEqual({ tenantId: TENANT, id: minted.id, secret: minted.secret });
    expect(minted.secretHash).toBe(hashSecret(minted.secret));
    expect(minted.token).not.toContain(minted.secretHash);
  });

  it('marks platform tokens, which carry no tenant', () => {
    const minted = mintToken('prt', null);
    expect(minted.token.startsWith('prt_platform.')).toBe(true);
    expect(parseToken('prt', minted.token)).toMatchObject({ tenantId: null, id: minted.id });
  });

  it('refuses other kinds and malformed tokens', () => {
    const good = mintToken('rt', TENANT).token;
    const [scope, id, secret] = good.slice(3).split('.');
    for (const bad of [
      good.replace(/^rt_/, 'prt_'),
      `rt_${scope}.${id}`,
      `rt_${scope}.${id}.${secret}.x`,
      `rt_${scope}.${id}.${secret.slice(1)}`,
      `rt_${scope}.${id}.${secret.slice(1)}+`,
      `rt_nottenant.${id}.${secret}`,
      `rt_${scope}.short.${secret}`,
      '',
      'eyJhbGciOiJIUzI1NiJ9.e30.x',
    ]) {
      expect(parseToken('rt', bad)).toBeNull();
    }
    expect(parseToken('prt', good)).toBeNull();
  });

  it('matches a secret only against its own hash', () => {
    const a = mintToken('rt', TENANT);
    const b = mintToken('rt', TENANT);
    expect(secretMatches(a.secret, a.secretHash)).toBe(true);
    expect(secretMatches(b.secret, a.secretHash)).toBe(false);
    expect(secretMatches(a.secret, 'not hex')).toBe(false);
  });
});
