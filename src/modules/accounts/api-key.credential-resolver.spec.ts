import { presentedApiKey } from './api-key.credential-resolver';

const KEY = `bk_${'A'.repeat(22)}_abcdefgh_${'x'.repeat(43)}`;
const OTHER_KEY = `bk_${'A'.repeat(22)}_abcdefgj_${'y'.repeat(43)}`;

describe('presentedApiKey', () => {
  it('takes a key from Authorization: Bearer or from X-API-Key', () => {
    expect(presentedApiKey({ authorization: `Bearer ${KEY}` })).toBe(KEY);
    expect(presentedApiKey({ authorization: `bearer  ${KEY} ` })).toBe(KEY);
    expect(presentedApiKey({ 'x-api-key': KEY })).toBe(KEY);
    expect(presentedApiKey({ 'x-api-key': KEY, authorization: `Bearer ${KEY}` })).toBe(KEY);
  });

  it('leaves JWTs, other schemes and requests without credentials to the other resolvers', () => {
    expect(presentedApiKey({})).toBeNull();
    expect(presentedApiKey({ authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' })).toBeNull();
    expect(presentedApiKey({ authorization: `Basic ${KEY}` })).toBeNull();
  });

  it('hands anything in X-API-Key to key checking, even when it is not shaped like a key', () => {
    expect(presentedApiKey({ 'x-api-key': 'nonsense' })).toBe('nonsense');
    expect(presentedApiKey({ 'x-api-key': '' })).toBe('');
  });

  it('refuses two different credentials with 400 conflicting_credentials', () => {
    for (const authorization of [`Bearer ${OTHER_KEY}`, 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'Basic abc']) {
      expect(() => presentedApiKey({ 'x-api-key': KEY, authorization })).toThrow(
        expect.objectContaining({ status: 400, code: 'conflicting_credentials' }),
      );
    }
  });
});
