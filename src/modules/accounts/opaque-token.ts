import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { isUuid } from '../../common/ids';

/**
 * Refresh and password reset tokens: `<prefix>_<scope>.<id>.<secret>`.
 *
 * Tenant rows sit behind row-level security, so a token must say which tenant to look in before
 * anything can be read: the scope is the tenant's uuid (16 bytes, base64url), or `platform` for a
 * super admin. The id finds the row; only SHA-256 of the secret is stored, compared in constant
 * time. Knowing a tenant and an id gives nothing without the 32 random bytes of the secret.
 */
export type TokenPrefix = 'rt' | 'prt';

export interface ParsedToken {
  /** The tenant the token belongs to; null for a platform super admin. */
  tenantId: string | null;
  id: string;
  secret: string;
}

export interface MintedToken extends ParsedToken {
  token: string;
  secretHash: string;
}

const PLATFORM_SCOPE = 'platform';
const PART = /^[A-Za-z0-9_-]+$/;

function uuidToBase64Url(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

function base64UrlToUuid(text: string): string | null {
  if (text.length !== 22 || !PART.test(text)) return null;
  const hex = Buffer.from(text, 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return isUuid(uuid) ? uuid : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Whether `secret` hashes to `expectedHash`, in time that does not depend on where they differ. */
export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function mintToken(prefix: TokenPrefix, tenantId: string | null): MintedToken {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  const scope = tenantId === null ? PLATFORM_SCOPE : uuidToBase64Url(tenantId);
  return {
    token: `${prefix}_${scope}.${uuidToBase64Url(id)}.${secret}`,
    tenantId,
    id,
    secret,
    secretHash: hashSecret(secret),
  };
}

/** The parts of a well-formed token of this kind, or null for anything else. */
export function parseToken(prefix: TokenPrefix, token: string): ParsedToken | null {
  if (typeof token !== 'string' || token.length > 200 || !token.startsWith(`${prefix}_`)) return null;
  const parts = token.slice(prefix.length + 1).split('.');
  if (parts.length !== 3) return null;
  const [scope, idText, secret] = parts;
  const tenantId = scope === PLATFORM_SCOPE ? null : base64UrlToUuid(scope);
  const id = base64UrlToUuid(idText);
  if ((scope !== PLATFORM_SCOPE && !tenantId) || !id || secret.length !== 43 || !PART.test(secret)) return null;
  return { tenantId, id, secret };
}
