/** Why a password is refused, or null when it is acceptable. Pure: no framework imports. */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < 10) return 'must be at least 10 characters';
  if (password.length > 200) return 'must be at most 200 characters';
  const lowered = password.trim().toLowerCase();
  const address = email.trim().toLowerCase();
  if (lowered === address || lowered === address.split('@')[0]) return 'must not be the e-mail address';
  return null;
}
