import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * API key strings: `bk_<tenant>_<prefix>_<secret>`.
 *  - tenant: the tenant uuid's 16 bytes in base64url (22 characters). API keys live under
 *    row-level security, so a key can only be looked up once its tenant is known; the key says it.
 *  - prefix: 8 characters from an alphabet without look-alikes, unique within the tenant. With the
 *    tenant part it is the key's visible name in lists and logs.
 *  - secret: 32 random bytes in base64url (43 characters).
 * Only the SHA-256 of the whole string is stored, so changing any part (the tenant included)
 * yields a key that matches nothing. Pure: no framework imports.
 */
export const API_KEY_MARK = 'bk_';

/** Without 0/o and 1/i/l, so that a prefix read off a screen or aloud is not misread. */
const PREFIX_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const PREFIX_LENGTH = 8;
const SECRET_BYTES = 32;
const KEY_SHAPE = new RegExp(
  `^${API_KEY_MARK}([A-Za-z0-9_-]{22})_([${PREFIX_ALPHABET}]{${PREFIX_LENGTH}})_([A-Za-z0-9_-]{43})$`,
);

export interface GeneratedApiKey {
  /** The full key, handed to the caller once and never stored. */
  key: string;
  prefix: string;
  secretHash: string;
}

export interface ParsedApiKey {
  tenantId: string;
  prefix: string;
}

function encodeTenant(tenantId: string): string {
  return Buffer.from(tenantId.replace(/-/g, ''), 'hex').toString('base64url');
}

function decodeTenant(encoded: string): string | null {
  const bytes = Buffer.from(encoded, 'base64url');
  // Re-encoding must give back the same text: one tenant, one spelling.
  if (bytes.length !== 16 || bytes.toString('base64url') !== encoded) return null;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function randomPrefix(): string {
  let prefix = '';
  for (let i = 0; i < PREFIX_LENGTH; i++) prefix += PREFIX_ALPHABET[randomInt(PREFIX_ALPHABET.length)];
  return prefix;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key for the tenant. */
export function generateApiKey(tenantId: string): GeneratedApiKey {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantId)) {
    throw new Error(`generateApiKey needs a tenant uuid, got "${tenantId}"`);
  }
  const prefix = randomPrefix();
  const key = `${displayPrefix(tenantId, prefix)}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { key, prefix, secretHash: hashApiKey(key) };
}

/** The visible identifier of a key, `bk_<tenant>_<prefix>`: everything but the secret. */
export function displayPrefix(tenantId: string, prefix: string): string {
  return `${API_KEY_MARK}${encodeTenant(tenantId.toLowerCase())}_${prefix}`;
}

/** Whether a bearer token is meant as an API key (as opposed to a JWT). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_MARK);
}

/** The tenant and prefix a key names, or null when the string is not shaped like a key. */
export function parseApiKey(key: string): ParsedApiKey | null {
  const match = KEY_SHAPE.exec(key);
  if (!match) return null;
  const tenantId = decodeTenant(match[1]);
  return tenantId ? { tenantId, prefix: match[2] } : null;
}

const NO_HASH = '0'.repeat(64);

/**
 * Whether `key` is the key whose hash is stored. Constant time; with no stored hash (no such
 * prefix) it still compares, so an unknown prefix costs as long as a wrong secret.
 */
export function apiKeyMatches(key: string, storedHash: string | null | undefined): boolean {
  const expected = Buffer.from(storedHash && /^[0-9a-f]{64}$/.test(storedHash) ? storedHash : NO_HASH, 'hex');
  const actual = Buffer.from(hashApiKey(key), 'hex');
  return timingSafeEqual(expected, actual) && Boolean(storedHash);
}
