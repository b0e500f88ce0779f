/**
 * Slugs that name platform paths, hosts or products rather than a tenant: a tenant holding one
 * could be mistaken for the platform (admin.beacon..., /api, docs) in URLs, e-mails and logs.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin',
  'administrator',
  'api',
  'app',
  'apps',
  'assets',
  'auth',
  'beacon',
  'billing',
  'cdn',
  'console',
  'dashboard',
  'docs',
  'health',
  'help',
  'login',
  'mail',
  'metrics',
  'platform',
  'root',
  'status',
  'static',
  'support',
  'system',
  'www',
]);

/** Why a tenant slug is refused, or null when it is acceptable. The database CHECK agrees. */
export function slugProblem(slug: unknown): string | null {
  if (typeof slug !== 'string') return 'must be a string';
  if (slug.length < 3 || slug.length > 40) return 'must be 3 to 40 characters long';
  if (!/^[a-z0-9-]+$/.test(slug)) return 'may contain only lowercase letters, digits and hyphens';
  if (slug.startsWith('-') || slug.endsWith('-')) return 'must start and end with a letter or digit';
  if (RESERVED_SLUGS.has(slug)) return `"${slug}" is reserved for the platform`;
  return null;
}
