import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { tenantIdOf } from '../../common/auth/actor';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { Page, PageQueryDto, cursorTimestamp, decodeCursor, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { displayPrefix, generateApiKey } from './api-key-secret';
import { ApiKeyDto, ApiKeyStatus, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  created_by: string | null;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  status: ApiKeyStatus;
  /** created_at to the microsecond, so that a page boundary never falls between two rows. */
  position: string;
}

/** Everything listed about a key: never its secret or hash. */
const KEY_COLUMNS = `id, name, prefix, scopes, created_at, created_by, last_used_at, expires_at, revoked_at,
  CASE WHEN revoked_at IS NOT NULL THEN 'revoked'
       WHEN expires_at <= now() THEN 'expired'
       ELSE 'active' END AS status,
  ${cursorTimestamp('created_at')} AS position`;

const PREFIX_TAKEN = 'api_keys_tenant_prefix_key';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toDto(tenantId: string, row: ApiKeyRow): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: displayPrefix(tenantId, row.prefix),
    scopes: row.scopes,
    created_at: row.created_at.toISOString(),
    created_by: row.created_by,
    last_used_at: iso(row.last_used_at),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
    status: row.status,
  };
}

/** A tenant's API keys: listed, created (the secret shown once) and revoked, each change audited. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string, query: PageQueryDto): Promise<Page<ApiKeyDto>> {
    const position = decodeCursor(query.cursor, 2);
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${KEY_COLUMNS} FROM api_keys
          ${position ? `WHERE (created_at, id) < ($2::timestamptz, $3::uuid)` : ''}
          ORDER BY created_at DESC, id DESC
          LIMIT $1`,
        position ? [query.limit + 1, ...position] : [query.limit + 1],
      ),
    )) as ApiKeyRow[];
    return pageOf(
      rows,
      query.limit,
      (row) => toDto(tenantId, row),
      (row) => [row.position, row.id],
    );
  }

  async create(caller: Caller, input: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const tenantId = tenantIdOf(caller.actor);
    const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new ValidationFailedError([{ field: 'expires_at', message: 'must be in the future' }]);
    }
    const scopes = [...new Set(input.scopes)];
    const createdBy = caller.actor.kind === 'user' ? caller.actor.userId : null;

    // A prefix collision (about one in 10^12 per pair of keys) just draws again.
    for (let attempt = 1; ; attempt++) {
      const generated = generateApiKey(tenantId);
      try {
        return await this.database.run(tenantId, async (manager) => {
          const [row] = (await manager.query(
            `INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, scopes, created_by, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING ${KEY_COLUMNS}`,
            [tenantId, input.name, generated.prefix, generated.secretHash, scopes, createdBy, expiresAt],
          )) as ApiKeyRow[];
          const created = toDto(tenantId, row);
          await this.audit.record(manager, tenantId, caller, {
            action: 'api_key.created',
            targetType: 'api_key',
            targetId: created.id,
            after: { name: created.name, prefix: created.prefix, scopes, expires_at: created.expires_at },
          });
          return { ...created, secret: generated.key };
        });
      } catch (error) {
        const constraint = (error as { constraint?: string }).constraint;
        if (constraint !== PREFIX_TAKEN || attempt >= 3) throw error;
      }
    }
  }

  /** Revokes a key at once. Revoking a revoked key changes nothing and succeeds (idempotent). */
  async revoke(caller: Caller, keyId: string): Promise<void> {
    const tenantId = tenantIdOf(caller.actor);
    if (!isUuid(keyId)) throw new NotFoundError('API key', keyId);
    await this.database.run(tenantId, async (manager: EntityManager) => {
      const [key] = (await manager.query(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1 FOR UPDATE`, [
        keyId,
      ])) as ApiKeyRow[];
      if (!key) throw new NotFoundError('API key', keyId);
      if (key.revoked_at) return;
      await manager.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [keyId]);
      const [revoked] = (await manager.query(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [
        keyId,
      ])) as ApiKeyRow[];
      await this.audit.record(manager, tenantId, caller, {
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: keyId,
        before: { name: key.name, prefix: displayPrefix(tenantId, key.prefix), status: key.status, revoked_at: null },
        after: {
          name: key.name,
          prefix: displayPrefix(tenantId, key.prefix),
          status: revoked.status,
          revoked_at: iso(revoked.revoked_at),
        },
      });
    });
  }
}
