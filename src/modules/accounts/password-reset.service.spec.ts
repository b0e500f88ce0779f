import { resetLink } from './password-reset.service';
import { refreshTtlDaysOf } from './refresh-tokens.service';

describe('resetLink', () => {
  it('adds the token as a query parameter, keeping what the configured URL has', () => {
    expect(resetLink('https://app.example.com/reset-password', 'prt_a.b.c')).toBe(
      'https://app.example.com/reset-password?token=prt_a.b.c',
    );
    expect(resetLink('https://app.example.com/r?lang=fr', 'prt_x')).toBe(
      'https://app.example.com/r?lang=fr&token=prt_x',
    );
  });
});

describe('refreshTtlDaysOf', () => {
  it("reads the tenant's setting and falls back to 30 days for anything unusable", () => {
    expect(refreshTtlDaysOf({ security: { refresh_token_ttl_days: 7 } })).toBe(7);
    expect(refreshTtlDaysOf({})).toBe(30);
    expect(refreshTtlDaysOf({ security: { refresh_token_ttl_days: 0 } })).toBe(30);
    expect(refreshTtlDaysOf({ security: { refresh_token_ttl_days: '9' } })).toBe(30);
    expect(refreshTtlDaysOf(null)).toBe(30);
  });
});
