import fc from 'fast-check';
import { canonicalJson, requestFingerprint } from './request-fingerprint';

describe('request fingerprint', () => {
  it('ignores key order at every depth', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
      }),
    );
  });

  it('differs when the body, path or method differs', () => {
    const base = requestFingerprint('POST', '/api/a', { points: 10 });
    expect(requestFingerprint('POST', '/api/a', { points: 11 })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/b', { points: 10 })).not.toBe(base);
    expect(requestFingerprint('PUT', '/api/a', { points: 10 })).not.toBe(base);
    expect(requestFingerprint('post', '/api/a', { points: 10 })).toBe(base);
  });
});
