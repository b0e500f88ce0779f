import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { Actor } from '../../common/auth/actor';
import { CredentialResolver } from '../../common/auth/credential-resolver';
import { DomainError, ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-error';
import { TenantDatabase } from '../../database/tenant-database.service';
import { apiKeyMatches, looksLikeApiKey, parseApiKey } from './api-key-secret';

interface KeyRow {
  id: string;
  secret_hash: string;
  scopes: string[];
  revoked: boolean;
  expired: boolean;
  use_is_stale: boolean;
  tenant_status: string;
}

const invalidKey = () => new UnauthenticatedError('The API key is invalid.', 'invalid_api_key');

function bearerToken(authorization: string | undefined): string | null {
  const match = authorization ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization) : null;
  return match ? match[1] : null;
}

/**
 * The API key a request presents, or null when it presents none (a JWT, or nothing). A key comes
 * as `Authorization: Bearer bk_...` or `X-API-Key: bk_...`. A request carrying two different
 * credentials is refused with 400 rather than served as whichever one we happened to read.
 */
export function presentedApiKey(headers: IncomingHttpHeaders): string | null {
  const raw = headers['x-api-key'];
  const headerKey = Array.isArray(raw) ? raw.join(', ') : raw;
  const bearer = bearerToken(headers.authorization);
  if (headerKey === undefined) return bearer !== null && looksLikeApiKey(bearer) ? bearer : null;
  if (headers.authorization !== undefined && bearer !== headerKey.trim()) {
    throw new DomainError(
      400,
      'conflicting_credentials',
      'The request carries two different credentials in Authorization and X-API-Key; send one.',
    );
  }
  return headerKey.trim();
}

/**
 * Resolves tenant API keys. The key names its tenant, so the lookup runs under that tenant's
 * row-level security: a key whose tenant part was swapped for another tenant's finds nothing
 * there (or a row whose hash does not match, since the hash covers the whole key).
 */
@Injectable()
export class ApiKeyCredentialResolver implements CredentialResolver {
  constructor(private readonly database: TenantDatabase) {}

  resolve(request: FastifyRequest): Promise<Actor | null> {
    const key = presentedApiKey(request.headers);
    return key === null ? Promise.resolve(null) : this.authenticate(key);
  }

  async authenticate(key: string): Promise<Actor> {
    const parsed = parseApiKey(key);
    if (!parsed) {
      apiKeyMatches(key, null); // same work as for a well-formed key, so timing tells nothing
      throw invalidKey();
    }
    const { tenantId, prefix } = parsed;
    return this.database.run(tenantId, async (manager) => {
      const [row] = (await manager.query(
        `SELECT k.id, k.secret_hash, k.scopes,
                k.revoked_at IS NOT NULL AS revoked,
                coalesce(k.expires_at <= now(), false) AS expired,
                coalesce(k.last_used_at < now() - interval '1 minute', true) AS use_is_stale,
                t.status AS tenant_status
           FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
          WHERE k.tenant_id = $1 AND k.prefix = $2`,
        [tenantId, prefix],
      )) as KeyRow[];
      // The secret is checked before anything about the key is revealed.
      if (!apiKeyMatches(key, row?.secret_hash)) throw invalidKey();
      if (row.revoked) throw new UnauthenticatedError('The API key has been revoked.', 'api_key_revoked');
      if (row.expired) throw new UnauthenticatedError('The API key has expired.', 'api_key_expired');
      if (row.tenant_status === 'suspended') throw new ForbiddenError('This tenant is suspended.', 'tenant_suspended');
      if (row.use_is_stale) {
        // At most one write a minute per key, however busy it is; the condition is repeated in SQL
        // so that concurrent requests that all saw a stale time still write once.
        await manager.query(
          `UPDATE api_keys SET last_used_at = now()
            WHERE tenant_id = $1 AND id = $2
              AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
          [tenantId, row.id],
        );
      }
      return { kind: 'api_key', keyId: row.id, tenantId, scopes: row.scopes };
    });
  }
}
