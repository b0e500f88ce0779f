import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { Page, cursorTimestamp, decodeCursor, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { QuotaService } from './quota.service';
import { TENANT_COLUMNS, TenantRow, toTenantDto, toTenantSummary } from './tenant-row';
import { TenantStatus } from './tenant.entity';
import { TenantDetailsDto, TenantDto, TenantListQueryDto, TenantSummaryDto, UpdateTenantDto } from './dto/tenant.dto';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The platform's tenant registry: what super admins list, inspect, rename, re-plan, suspend. */
@Injectable()
export class TenantsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly audit: AuditService,
    private readonly quotas: QuotaService,
  ) {}

  /** Newest first. */
  async list(query: TenantListQueryDto): Promise<Page<TenantSummaryDto>> {
    const position = decodeCursor(query.cursor, 2);
    if (position && !(TIMESTAMP.test(String(position[0])) && isUuid(position[1]))) {
      throw new ValidationFailedError([{ field: 'cursor', message: 'is not a cursor from this list' }]);
    }
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    const bind = (value: unknown) => `$${parameters.push(value)}`;
    if (query.status) conditions.push(`status = ${bind(query.status)}`);
    if (query.q) {
      const pattern = bind(`%${query.q.replace(/[\\%_]/g, '\\$&')}%`);
      conditions.push(`(name ILIKE ${pattern} OR slug ILIKE ${pattern})`);
    }
    if (position) {
      conditions.push(`(created_at, id) < (${bind(position[0])}::timestamptz, ${bind(position[1])}::uuid)`);
    }
    const rows = (await this.database.runAsPlatform((manager) =>
      manager.query(
        // The cursor keeps created_at to the microsecond: a millisecond ISO string would skip or
        // repeat tenants created within the same millisecond.
        `SELECT ${TENANT_COLUMNS},
                ${cursorTimestamp('created_at')} AS position_at
           FROM tenants
          ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
          ORDER BY created_at DESC, id DESC
          LIMIT ${bind(query.limit + 1)}`,
        parameters,
      ),
    )) as Array<TenantRow & { position_at: string }>;
    return pageOf(rows, query.limit, toTenantSummary, (row) => [row.position_at, row.id]);
  }

  /** A super admin sees any tenant; an owner only their own (any other id is a 404). */
  async details(actor: Actor, id: string): Promise<TenantDetailsDto> {
    if (!isUuid(id) || (actor.kind !== 'super_admin' && actor.tenantId !== id)) throw new NotFoundError('Tenant', id);
    return this.database.run(id, async (manager) => {
      const tenant = await this.findTenant(manager, id, { lock: false });
      return {
        ...toTenantDto(tenant, this.quotas.quotasOfPlan(tenant.plan)),
        usage: await this.quotas.usage(manager, id),
      };
    });
  }

  async update(caller: Caller, id: string, input: UpdateTenantDto): Promise<TenantDto> {
    if (input.slug !== undefined) {
      throw new ValidationFailedError([{ field: 'slug', message: "cannot be changed: a tenant's slug is permanent" }]);
    }
    if (!isUuid(id)) throw new NotFoundError('Tenant', id);
    const updated = await this.database.run(id, async (manager) => {
      const before = await this.findTenant(manager, id, { lock: true });
      const changes: Partial<Pick<TenantRow, 'name' | 'plan'>> = {};
      if (input.name !== undefined && input.name !== before.name) changes.name = input.name;
      if (input.plan !== undefined && input.plan !== before.plan) changes.plan = input.plan;
      if (Object.keys(changes).length === 0) return before;
      // TypeORM answers an UPDATE with [rows, affected count].
      const [[after]] = (await manager.query(
        `UPDATE tenants SET name = $2, plan = $3, updated_at = now() WHERE id = $1 RETURNING ${TENANT_COLUMNS}`,
        [id, changes.name ?? before.name, changes.plan ?? before.plan],
      )) as [TenantRow[], number];
      const previous = Object.fromEntries(
        Object.keys(changes).map((key) => [key, before[key as keyof typeof changes]]),
      );
      await this.audit.record(manager, id, caller, {
        action: 'tenant.updated',
        targetType: 'tenant',
        targetId: id,
        before: previous,
        after: changes,
      });
      return after;
    });
    this.quotas.forgetPlan(id);
    return toTenantDto(updated, this.quotas.quotasOfPlan(updated.plan));
  }

  /** Idempotent: setting the status a tenant already has changes and records nothing. */
  async setStatus(caller: Caller, id: string, status: TenantStatus): Promise<TenantDto> {
    if (!isUuid(id)) throw new NotFoundError('Tenant', id);
    const tenant = await this.database.run(id, async (manager) => {
      const before = await this.findTenant(manager, id, { lock: true });
      if (before.status === status) return before;
      // TypeORM answers an UPDATE with [rows, affected count].
      const [[after]] = (await manager.query(
        `UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1 RETURNING ${TENANT_COLUMNS}`,
        [id, status],
      )) as [TenantRow[], number];
      await this.audit.record(manager, id, caller, {
        action: status === 'suspended' ? 'tenant.suspended' : 'tenant.activated',
        targetType: 'tenant',
        targetId: id,
        before: { status: before.status },
        after: { status },
      });
      return after;
    });
    return toTenantDto(tenant, this.quotas.quotasOfPlan(tenant.plan));
  }

  private async findTenant(manager: EntityManager, id: string, options: { lock: boolean }): Promise<TenantRow> {
    const [tenant] = (await manager.query(
      `SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = $1 ${options.lock ? 'FOR UPDATE' : ''}`,
      [id],
    )) as TenantRow[];
    if (!tenant) throw new NotFoundError('Tenant', id);
    return tenant;
  }
}
