import { passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it('accepts a long password unrelated to the e-mail', () => {
    expect(passwordProblem('correct horse battery', 'ann@example.com')).toBeNull();
  });

  it('refuses short passwords', () => {
    expect(passwordProblem('123456789', 'ann@example.com')).toBe('must be at least 10 characters');
  });

  it('refuses the e-mail address or its local part, whatever the case', () => {
    expect(passwordProblem('Ann@Example.com', 'ann@example.com')).toBe('must not be the e-mail address');
    expect(passwordProblem('annabelle-lee', 'ANNABELLE-LEE@example.com')).toBe('must not be the e-mail address');
  });
});
