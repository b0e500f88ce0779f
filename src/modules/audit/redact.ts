/** Keys that name a secret: `password_hash`, `mfaSecret`, `refresh_token`, ... but not `password_set` or `refresh_token_ttl_days`. */
const SECRET_KEY = /(password|passwd|secret|token|totp|api_?key|authorization|hash)$/i;

/** A copy of `value` with every secret-looking field replaced, at any depth. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => redactSecrets(item)) as T;
  if (value instanceof Date) return value.toISOString() as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) && item !== null && item !== undefined ? '[redacted]' : redactSecrets(item),
    ]),
  ) as T;
}
