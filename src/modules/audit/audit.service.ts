import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor } from '../../common/auth/actor';
import { cursorTimestamp, decodeCursor, Page, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditActorType } from './audit-entry.entity';
import { AuditEntryDto, AuditLogQueryDto } from './dto/audit-log.dto';
import { redactSecrets } from './redact';

/** Who acted and from where: a signed-in caller, or nobody yet (failed logins). */
export interface AuditSource {
  actor: Actor | null;
  ip: string | null;
  requestId: string | null;
}

export interface AuditChange {
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: object | null;
  after?: object | null;
}

interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_type: AuditActorType;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  ip: string | null;
  request_id: string | null;
  position: string;
}

function actorColumns(actor: Actor | null): [AuditActorType, string | null, string | null] {
  if (!actor) return ['anonymous', null, null];
  switch (actor.kind) {
    case 'user':
      return ['user', actor.userId, actor.role];
    case 'super_admin':
      return ['super_admin', actor.userId, 'super_admin'];
    case 'api_key':
      return ['api_key', actor.keyId, null];
  }
}

/**
 * The audit trail of administrative actions. `record` writes through the caller's transaction
 * manager, so an entry exists exactly when its change committed.
 */
@Injectable()
export class AuditService {
  constructor(private readonly database: TenantDatabase) {}

  /** `manager` must be inside `TenantDatabase.run(tenantId, ...)`. */
  async record(manager: EntityManager, tenantId: string, source: AuditSource, change: AuditChange): Promise<void> {
    const [actorType, actorId, actorRole] = actorColumns(source.actor);
    await manager.query(
      `INSERT INTO audit_log (tenant_id, actor_type, actor_id, actor_role, action, target_type, target_id,
                              before, after, ip, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        tenantId,
        actorType,
        actorId,
        actorRole,
        change.action,
        change.targetType,
        change.targetId ?? null,
        change.before ? JSON.stringify(redactSecrets(change.before)) : null,
        change.after ? JSON.stringify(redactSecrets(change.after)) : null,
        source.ip,
        source.requestId,
      ],
    );
  }

  /** Records outside any other change, in a transaction of its own (e.g. a refused login). */
  recordAlone(tenantId: string, source: AuditSource, change: AuditChange): Promise<void> {
    return this.database.run(tenantId, (manager) => this.record(manager, tenantId, source, change));
  }

  async list(tenantId: string, query: AuditLogQueryDto): Promise<Page<AuditEntryDto>> {
    const position = decodeCursor(query.cursor, 2);
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    const where = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (query.action) where(`action = ?`, query.action);
    if (query.actor_id) where(`actor_id = ?`, query.actor_id);
    if (query.target_type) where(`target_type = ?`, query.target_type);
    if (query.target_id) where(`target_id = ?`, query.target_id);
    if (query.from) where(`occurred_at >= ?`, query.from);
    if (query.to) where(`occurred_at < ?`, query.to);
    if (position) {
      parameters.push(position[0], position[1]);
      conditions.push(`(occurred_at, id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
    }
    parameters.push(query.limit + 1);
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT id, occurred_at, actor_type, actor_id, actor_role, action, target_type, target_id,
                before, after, ip, request_id, ${cursorTimestamp('occurred_at')} AS position
           FROM audit_log
          ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
          ORDER BY occurred_at DESC, id DESC
          LIMIT $${parameters.length}`,
        parameters,
      ),
    )) as AuditRow[];
    return pageOf(
      rows,
      query.limit,
      (row) => ({
        id: row.id,
        occurred_at: row.occurred_at.toISOString(),
        actor: { type: row.actor_type, id: row.actor_id, role: row.actor_role },
        action: row.action,
        target: { type: row.target_type, id: row.target_id },
        before: row.before,
        after: row.after,
        ip: row.ip,
        request_id: row.request_id,
      }),
      (row) => [row.position, row.id],
    );
  }
}
