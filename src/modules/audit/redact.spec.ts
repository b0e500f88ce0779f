import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('hides secrets at any depth and keeps everything else', () => {
    const input = {
      email: 'a@b.c',
      password_hash: '$argon2id$...',
      passwordHash: 'x',
      settings: { security: { mfa_required: true }, webhook_secret: 'whsec_1' },
      keys: [{ name: 'k', secret_hash: 'abc', prefix: 'bk_1' }],
      refresh_token: null,
      at: new Date('2026-01-01T00:00:00Z'),
      security: { refresh_token_ttl_days: 30 },
      password_set: true,
    };
    expect(redactSecrets(input)).toEqual({
      email: 'a@b.c',
      password_hash: '[redacted]',
      passwordHash: '[redacted]',
      settings: { security: { mfa_required: true }, webhook_secret: '[redacted]' },
      keys: [{ name: 'k', secret_hash: '[redacted]', prefix: 'bk_1' }],
      refresh_token: null,
      at: '2026-01-01T00:00:00.000Z',
      security: { refresh_token_ttl_days: 30 },
      password_set: true,
    });
    expect(input.password_hash).toBe('$argon2id$...');
  });
});
