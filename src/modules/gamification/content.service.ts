import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { ConflictError, FieldError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { cursorTimestamp, decodeCursor, Page, PageQueryDto, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import {
  AccessLevelDto,
  ContentDto,
  CreateAccessLevelDto,
  CreateContentDto,
  UpdateContentDto,
} from './dto/content.dto';
import { customerOf } from './gamification-caller';
import { AccessLevelRequiredError } from './gamification.errors';

interface LevelRow {
  id: string;
  name: string;
  description: string;
  tier_id: string | null;
  tier_name: string | null;
  created_at: Date;
  position: string;
}

interface ContentRow {
  id: string;
  title: string;
  body: string | null;
  url: string | null;
  required_level_id: string | null;
  level_name: string | null;
  published: boolean;
  created_at: Date;
  updated_at: Date;
  position: string;
}

const LEVEL_COLUMNS = `l.id, l.name, l.description, l.tier_id, t.name AS tier_name, l.created_at,
  ${cursorTimestamp('l.created_at')} AS position`;
const LEVEL_FROM = `FROM access_levels l LEFT JOIN tiers t ON t.tenant_id = l.tenant_id AND t.id = l.tier_id`;

const CONTENT_COLUMNS = `ci.id, ci.title, ci.body, ci.url, ci.required_level_id, l.name AS level_name, ci.published,
  ci.created_at, ci.updated_at, ${cursorTimestamp('ci.created_at')} AS position`;
const CONTENT_FROM = `FROM content_items ci
  LEFT JOIN access_levels l ON l.tenant_id = ci.tenant_id AND l.id = ci.required_level_id`;

/**
 * Whether customer $2 holds level `l`: a level without a tier is everyone's; otherwise the
 * customer's current tier in that tier's program must rank at least as high. A level whose tier
 * was deleted is held by nobody.
 */
const HOLDS_LEVEL = `(l.tier_id IS NULL OR EXISTS (
  SELECT 1 FROM tiers need
    JOIN loyalty_accounts a ON a.tenant_id = need.tenant_id AND a.program_id = need.program_id AND a.customer_id = $2
    JOIN tiers held ON held.tenant_id = a.tenant_id AND held.id = a.tier_id
   WHERE need.tenant_id = l.tenant_id AND need.id = l.tier_id AND held.rank >= need.rank))`;

const toLevelDto = (row: LevelRow): AccessLevelDto => ({
  id: row.id,
  name: row.name,
  description: row.description,
  tier_id: row.tier_id,
  tier_name: row.tier_name,
  created_at: row.created_at.toISOString(),
});

const toContentDto = (row: ContentRow): ContentDto => ({
  id: row.id,
  title: row.title,
  body: row.body,
  url: row.url,
  required_level: row.required_level_id ? { id: row.required_level_id, name: row.level_name ?? '' } : null,
  published: row.published,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

/** Access levels mapped from tiers, and the exclusive content they open. */
@Injectable()
export class ContentService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async levels(tenantId: string, query: PageQueryDto): Promise<Page<AccessLevelDto>> {
    const position = decodeCursor(query.cursor, 2);
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${LEVEL_COLUMNS} ${LEVEL_FROM} WHERE l.tenant_id = $1
            ${position ? 'AND (l.created_at, l.id) > ($3::timestamptz, $4::uuid)' : ''}
          ORDER BY l.created_at, l.id LIMIT $2`,
        position ? [tenantId, query.limit + 1, position[0], position[1]] : [tenantId, query.limit + 1],
      ),
    )) as LevelRow[];
    return pageOf(rows, query.limit, toLevelDto, (row) => [row.position, row.id]);
  }

  createLevel(
    caller: Caller,
    request: IdempotentRequest,
    input: CreateAccessLevelDto,
  ): Promise<IdempotentOutcome<AccessLevelDto>> {
    const tenantId = tenantIdOf(caller.actor);
    return this.idempotency.execute(request, 201, async (manager) => {
      const tierId = input.tier_id?.toLowerCase() ?? null;
      if (tierId) {
        const [tier] = (await manager.query(`SELECT id FROM tiers WHERE tenant_id = $1 AND id = $2`, [
          tenantId,
          tierId,
        ])) as unknown[];
        if (!tier) throw new ValidationFailedError([{ field: 'tier_id', message: 'is not a tier of this tenant' }]);
      }
      const [existing] = (await manager.query(`SELECT id FROM access_levels WHERE tenant_id = $1 AND name = $2`, [
        tenantId,
        input.name,
      ])) as unknown[];
      if (existing) throw new ConflictError('access_level_exists', `An access level named "${input.name}" exists.`);
      const [{ id }] = (await manager.query(
        `INSERT INTO access_levels (tenant_id, name, description, tier_id) VALUES ($1, $2, $3, $4) RETURNING id`,
        [tenantId, input.name, input.description ?? '', tierId],
      )) as Array<{ id: string }>;
      const [row] = (await manager.query(`SELECT ${LEVEL_COLUMNS} ${LEVEL_FROM} WHERE l.tenant_id = $1 AND l.id = $2`, [
        tenantId,
        id,
      ])) as LevelRow[];
      const created = toLevelDto(row);
      await this.audit.record(manager, tenantId, caller, {
        action: 'access_level.created',
        targetType: 'access_level',
        targetId: id,
        after: created,
      });
      return created;
    });
  }

  async list(tenantId: string, query: PageQueryDto): Promise<Page<ContentDto>> {
    const position = decodeCursor(query.cursor, 2);
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${CONTENT_COLUMNS} ${CONTENT_FROM} WHERE ci.tenant_id = $1
            ${position ? 'AND (ci.created_at, ci.id) < ($3::timestamptz, $4::uuid)' : ''}
          ORDER BY ci.created_at DESC, ci.id DESC LIMIT $2`,
        position ? [tenantId, query.limit + 1, position[0], position[1]] : [tenantId, query.limit + 1],
      ),
    )) as ContentRow[];
    return pageOf(rows, query.limit, toContentDto, (row) => [row.position, row.id]);
  }

  async get(tenantId: string, id: string): Promise<ContentDto> {
    return toContentDto(await this.database.run(tenantId, (manager) => this.find(manager, tenantId, id)));
  }

  create(caller: Caller, request: IdempotentRequest, input: CreateContentDto): Promise<IdempotentOutcome<ContentDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const values = {
      title: input.title,
      body: input.body ?? null,
      url: input.url ?? null,
      required_level_id: input.required_level_id?.toLowerCase() ?? null,
      published: input.published ?? true,
    };
    checkBodyOrUrl(values);
    return this.idempotency.execute(request, 201, async (manager) => {
      await checkLevel(manager, tenantId, values.required_level_id);
      const [{ id }] = (await manager.query(
        `INSERT INTO content_items (tenant_id, title, body, url, required_level_id, published)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [tenantId, values.title, values.body, values.url, values.required_level_id, values.published],
      )) as Array<{ id: string }>;
      const created = toContentDto(await this.find(manager, tenantId, id));
      await this.audit.record(manager, tenantId, caller, {
        action: 'content.created',
        targetType: 'content',
        targetId: id,
        after: created,
      });
      return created;
    });
  }

  update(caller: Caller, id: string, input: UpdateContentDto): Promise<ContentDto> {
    const tenantId = tenantIdOf(caller.actor);
    return this.database.run(tenantId, async (manager) => {
      const existing = await this.find(manager, tenantId, id, true);
      const values = {
        title: input.title ?? existing.title,
        body: input.body === undefined ? existing.body : input.body,
        url: input.url === undefined ? existing.url : input.url,
        required_level_id:
          input.required_level_id === undefined
            ? existing.required_level_id
            : (input.required_level_id?.toLowerCase() ?? null),
        published: input.published ?? existing.published,
      };
      checkBodyOrUrl(values);
      await checkLevel(manager, tenantId, values.required_level_id);
      await manager.query(
        `UPDATE content_items SET title = $3, body = $4, url = $5, required_level_id = $6, published = $7,
                updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, existing.id, values.title, values.body, values.url, values.required_level_id, values.published],
      );
      const updated = toContentDto(await this.find(manager, tenantId, existing.id));
      await this.audit.record(manager, tenantId, caller, {
        action: 'content.updated',
        targetType: 'content',
        targetId: existing.id,
        before: toContentDto(existing),
        after: updated,
      });
      return updated;
    });
  }

  async remove(caller: Caller, id: string): Promise<void> {
    const tenantId = tenantIdOf(caller.actor);
    await this.database.run(tenantId, async (manager) => {
      const existing = await this.find(manager, tenantId, id, true);
      await manager.query(`DELETE FROM content_items WHERE tenant_id = $1 AND id = $2`, [tenantId, existing.id]);
      await this.audit.record(manager, tenantId, caller, {
        action: 'content.deleted',
        targetType: 'content',
        targetId: existing.id,
        before: toContentDto(existing),
      });
    });
  }

  /** The published content the caller can open, newest first. */
  async available(actor: Actor, query: PageQueryDto): Promise<Page<ContentDto>> {
    const { tenantId, customerId } = customerOf(actor);
    const position = decodeCursor(query.cursor, 2);
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${CONTENT_COLUMNS} ${CONTENT_FROM}
          WHERE ci.tenant_id = $1 AND ci.published AND (ci.required_level_id IS NULL OR ${HOLDS_LEVEL})
            ${position ? 'AND (ci.created_at, ci.id) < ($4::timestamptz, $5::uuid)' : ''}
          ORDER BY ci.created_at DESC, ci.id DESC LIMIT $3`,
        position
          ? [tenantId, customerId, query.limit + 1, position[0], position[1]]
          : [tenantId, customerId, query.limit + 1],
      ),
    )) as ContentRow[];
    return pageOf(rows, query.limit, toContentDto, (row) => [row.position, row.id]);
  }

  /** One item; locked content is a 403 `access_level_required` naming the level needed. */
  async open(actor: Actor, id: string): Promise<ContentDto> {
    const { tenantId, customerId } = customerOf(actor);
    if (!isUuid(id)) throw new NotFoundError('Content', id);
    return this.database.run(tenantId, async (manager) => {
      const [row] = (await manager.query(
        `SELECT ${CONTENT_COLUMNS}, (ci.required_level_id IS NULL OR ${HOLDS_LEVEL}) AS allowed ${CONTENT_FROM}
          WHERE ci.tenant_id = $1 AND ci.id = $3 AND ci.published`,
        [tenantId, customerId, id],
      )) as Array<ContentRow & { allowed: boolean }>;
      if (!row) throw new NotFoundError('Content', id);
      if (!row.allowed) throw new AccessLevelRequiredError(row.required_level_id!, row.level_name ?? '');
      return toContentDto(row);
    });
  }

  private async find(manager: EntityManager, tenantId: string, id: string, lock = false): Promise<ContentRow> {
    if (!isUuid(id)) throw new NotFoundError('Content', id);
    const [row] = (await manager.query(
      `SELECT ${CONTENT_COLUMNS} ${CONTENT_FROM} WHERE ci.tenant_id = $1 AND ci.id = $2 ${lock ? 'FOR UPDATE OF ci' : ''}`,
      [tenantId, id],
    )) as ContentRow[];
    if (!row) throw new NotFoundError('Content', id);
    return row;
  }
}

function checkBodyOrUrl(values: { body: string | null; url: string | null }): void {
  if (values.body === null && values.url === null) {
    const errors: FieldError[] = [{ field: 'body', message: 'give a body, a url or both' }];
    throw new ValidationFailedError(errors);
  }
}

async function checkLevel(manager: EntityManager, tenantId: string, levelId: string | null): Promise<void> {
  if (levelId === null) return;
  const [level] = (await manager.query(`SELECT id FROM access_levels WHERE tenant_id = $1 AND id = $2`, [
    tenantId,
    levelId,
  ])) as unknown[];
  if (!level) {
    throw new ValidationFailedError([{ field: 'required_level_id', message: 'is not an access level of this tenant' }]);
  }
}
