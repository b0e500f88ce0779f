import {
  auditedChange,
  auditedCustomer,
  AuditableCustomer,
  birthdayProblem,
  erasedEmail,
  EXTERNAL_ID,
  PERSONAL_VALUE,
  preferencesProblem,
  profileFieldErrors,
} from './customer-fields';

const customer = (overrides: Partial<AuditableCustomer> = {}): AuditableCustomer => ({
  email: 'ann@example.com',
  external_id: 'C-1',
  first_name: 'Ann',
  last_name: 'Lee',
  phone: null,
  birthday: '1990-04-21',
  preferences: { theme: 'dark' },
  segments: [],
  marketing_opt_in: false,
  leaderboard_opt_out: false,
  status: 'active',
  ...overrides,
});

describe('customer fields', () => {
  it('keeps personal values out of audit entries but shows which are set', () => {
    const audited = auditedCustomer(customer());
    expect(JSON.stringify(audited)).not.toMatch(/ann|Lee|1990|dark|C-1/i);
    expect(audited).toMatchObject({
      email: PERSONAL_VALUE,
      first_name: PERSONAL_VALUE,
      phone: null,
      segments: null,
      marketing_opt_in: false,
      status: 'active',
    });
  });

  it('audits only the fields that changed, consent flags with their values', () => {
    const change = auditedChange(customer(), customer({ first_name: 'Anna', marketing_opt_in: true }));
    expect(change).toEqual({
      before: { first_name: PERSONAL_VALUE, marketing_opt_in: false },
      after: { first_name: PERSONAL_VALUE, marketing_opt_in: true },
    });
    expect(auditedChange(customer(), customer())).toBeNull();
    expect(auditedChange(customer({ phone: null }), customer({ phone: '+44 1' }))).toEqual({
      before: { phone: null },
      after: { phone: PERSONAL_VALUE },
    });
  });

  it('accepts real past birthdays only', () => {
    const today = new Date('2026-03-01T12:00:00Z');
    expect(birthdayProblem('1990-04-21', today)).toBeNull();
    expect(birthdayProblem('2024-02-29', today)).toBeNull();
    expect(birthdayProblem('2023-02-29', today)).toMatch(/real/);
    expect(birthdayProblem('1990-13-01', today)).toMatch(/real/);
    expect(birthdayProblem('2026-03-05', today)).toMatch(/future/);
    expect(birthdayProblem('1850-01-01', today)).toMatch(/1900/);
  });

  it('limits preferences to a JSON object of 8 KB', () => {
    expect(preferencesProblem({ a: 1 })).toBeNull();
    expect(preferencesProblem([1])).toMatch(/object/);
    expect(preferencesProblem(null)).toMatch(/object/);
    expect(preferencesProblem({ big: 'x'.repeat(8 * 1024) })).toMatch(/8192 bytes/);
    // Bytes, not characters: 3000 three-byte characters are 9000 bytes.
    expect(preferencesProblem({ text: '€'.repeat(3000) })).toMatch(/bytes/);
  });

  it('names each bad field', () => {
    expect(profileFieldErrors({ birthday: '2023-02-30', preferences: [] }, new Date())).toEqual([
      { field: 'birthday', message: expect.any(String) },
      { field: 'preferences', message: expect.any(String) },
    ]);
    expect(profileFieldErrors({ birthday: null }, new Date())).toEqual([]);
  });

  it('takes external ids that travel unescaped in a URL path, and nothing else', () => {
    for (const id of ['C-1042', 'shop:42', 'a.b_c~d@e', 'x'.repeat(200)]) expect(EXTERNAL_ID.test(id)).toBe(true);
    for (const id of ['', 'a/b', 'a b', 'a?b', 'a#b', 'a%2F', 'é', 'x'.repeat(201)]) {
      expect(EXTERNAL_ID.test(id)).toBe(false);
    }
  });

  it('gives erased accounts an unroutable, unique e-mail', () => {
    expect(erasedEmail('8f1c')).toBe('erased+8f1c@invalid');
  });
});
