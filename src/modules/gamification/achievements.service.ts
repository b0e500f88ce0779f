import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { cursorTimestamp, decodeCursor, Page, PageQueryDto, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { loadSettings } from '../loyalty/activities/earning-context';
import { AchievementCriteria, factsNeeded, parseCriteria, progressOf } from './achievement-criteria';
import { loadCustomerFacts } from './customer-facts';
import { AchievementDto, CreateAchievementDto, MyAchievementDto, UpdateAchievementDto } from './dto/achievement.dto';
import { customerOf } from './gamification-caller';

interface AchievementRow {
  id: string;
  name: string;
  description: string;
  icon_url: string | null;
  criteria: AchievementCriteria;
  points: number;
  active: boolean;
  unlocked_count: number;
  created_at: Date;
  updated_at: Date;
  position: string;
}

const COLUMNS = `a.id, a.name, a.description, a.icon_url, a.criteria, a.points, a.active, a.created_at, a.updated_at,
  (SELECT count(*)::int FROM customer_achievements ca WHERE ca.tenant_id = a.tenant_id AND ca.achievement_id = a.id)
    AS unlocked_count,
  ${cursorTimestamp('a.created_at')} AS position`;

function toDto(row: AchievementRow): AchievementDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    icon_url: row.icon_url,
    criteria: row.criteria,
    points: row.points,
    active: row.active,
    unlocked_count: row.unlocked_count,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Achievements: administration (audited) and each customer's badges with their progress. */
@Injectable()
export class AchievementsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string, query: PageQueryDto): Promise<Page<AchievementDto>> {
    const position = decodeCursor(query.cursor, 2);
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${COLUMNS} FROM achievements a
          WHERE a.tenant_id = $1 AND a.deleted_at IS NULL
            ${position ? 'AND (a.created_at, a.id) > ($3::timestamptz, $4::uuid)' : ''}
          ORDER BY a.created_at, a.id LIMIT $2`,
        position ? [tenantId, query.limit + 1, position[0], position[1]] : [tenantId, query.limit + 1],
      ),
    )) as AchievementRow[];
    return pageOf(rows, query.limit, toDto, (row) => [row.position, row.id]);
  }

  async get(tenantId: string, id: string): Promise<AchievementDto> {
    return toDto(await this.database.run(tenantId, (manager) => this.find(manager, tenantId, id)));
  }

  create(
    caller: Caller,
    request: IdempotentRequest,
    input: CreateAchievementDto,
  ): Promise<IdempotentOutcome<AchievementDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const criteria = checkedCriteria(input.criteria);
    return this.idempotency.execute(request, 201, async (manager) => {
      await checkTier(manager, tenantId, criteria);
      const [{ id }] = (await manager.query(
        `INSERT INTO achievements (tenant_id, name, description, icon_url, criteria, points, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [
          tenantId,
          input.name,
          input.description ?? '',
          input.icon_url ?? null,
          JSON.stringify(criteria),
          input.points ?? 0,
          input.active ?? true,
        ],
      )) as Array<{ id: string }>;
      const created = toDto(await this.find(manager, tenantId, id));
      await this.audit.record(manager, tenantId, caller, {
        action: 'achievement.created',
        targetType: 'achievement',
        targetId: id,
        after: created,
      });
      return created;
    });
  }

  /** A changed criteria applies from the next evaluation on; badges already unlocked stay. */
  update(caller: Caller, id: string, input: UpdateAchievementDto): Promise<AchievementDto> {
    const tenantId = tenantIdOf(caller.actor);
    const criteria = input.criteria === undefined ? undefined : checkedCriteria(input.criteria);
    return this.database.run(tenantId, async (manager) => {
      const existing = await this.find(manager, tenantId, id, true);
      if (criteria) await checkTier(manager, tenantId, criteria);
      await manager.query(
        `UPDATE achievements SET name = $3, description = $4, icon_url = $5, criteria = $6, points = $7, active = $8,
                updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [
          tenantId,
          existing.id,
          input.name ?? existing.name,
          input.description ?? existing.description,
          input.icon_url === undefined ? existing.icon_url : input.icon_url,
          JSON.stringify(criteria ?? existing.criteria),
          input.points ?? existing.points,
          input.active ?? existing.active,
        ],
      );
      const updated = toDto(await this.find(manager, tenantId, existing.id));
      await this.audit.record(manager, tenantId, caller, {
        action: 'achievement.updated',
        targetType: 'achievement',
        targetId: existing.id,
        before: toDto(existing),
        after: updated,
      });
      return updated;
    });
  }

  /** Retires an achievement: no longer shown or unlocked; the record of who earned it stays. */
  async remove(caller: Caller, id: string): Promise<void> {
    const tenantId = tenantIdOf(caller.actor);
    await this.database.run(tenantId, async (manager) => {
      const existing = await this.find(manager, tenantId, id, true);
      await manager.query(
        `UPDATE achievements SET deleted_at = now(), active = false, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, existing.id],
      );
      await this.audit.record(manager, tenantId, caller, {
        action: 'achievement.deleted',
        targetType: 'achievement',
        targetId: existing.id,
        before: toDto(existing),
      });
    });
  }

  /** The caller's badges: every active achievement, unlocked or not, with the progress towards it. */
  async mine(actor: Actor, query: PageQueryDto): Promise<Page<MyAchievementDto>> {
    const { tenantId, customerId } = customerOf(actor);
    const position = decodeCursor(query.cursor, 2);
    return this.database.run(tenantId, async (manager) => {
      const rows = (await manager.query(
        `SELECT a.id, a.name, a.description, a.icon_url, a.criteria, a.points, ca.unlocked_at,
                ${cursorTimestamp('a.created_at')} AS position
           FROM achievements a
           LEFT JOIN customer_achievements ca
             ON ca.tenant_id = a.tenant_id AND ca.achievement_id = a.id AND ca.customer_id = $2
          WHERE a.tenant_id = $1 AND a.active AND a.deleted_at IS NULL
            ${position ? 'AND (a.created_at, a.id) > ($4::timestamptz, $5::uuid)' : ''}
          ORDER BY a.created_at, a.id LIMIT $3`,
        position
          ? [tenantId, customerId, query.limit + 1, position[0], position[1]]
          : [tenantId, customerId, query.limit + 1],
      )) as Array<
        Omit<AchievementRow, 'active' | 'unlocked_count' | 'created_at' | 'updated_at'> & { unlocked_at: Date | null }
      >;
      const visible = rows.slice(0, query.limit);
      const facts = await loadCustomerFacts(
        manager,
        tenantId,
        customerId,
        factsNeeded(visible.filter((row) => row.unlocked_at === null).map((row) => row.criteria)),
        (await loadSettings(manager, tenantId)).loyalty.time_zone,
      );
      return pageOf(
        rows,
        query.limit,
        (row): MyAchievementDto => {
          const progress = progressOf(row.criteria, facts);
          return {
            id: row.id,
            name: row.name,
            description: row.description,
            icon_url: row.icon_url,
            criteria: row.criteria,
            points: row.points,
            unlocked: row.unlocked_at !== null,
            unlocked_at: row.unlocked_at?.toISOString() ?? null,
            progress: row.unlocked_at !== null ? { current: progress.target, target: progress.target } : progress,
          };
        },
        (row) => [row.position, row.id],
      );
    });
  }

  private async find(manager: EntityManager, tenantId: string, id: string, lock = false): Promise<AchievementRow> {
    if (!isUuid(id)) throw new NotFoundError('Achievement', id);
    const [row] = (await manager.query(
      `SELECT ${COLUMNS} FROM achievements a WHERE a.tenant_id = $1 AND a.id = $2 AND a.deleted_at IS NULL
       ${lock ? 'FOR NO KEY UPDATE OF a' : ''}`,
      [tenantId, id],
    )) as AchievementRow[];
    if (!row) throw new NotFoundError('Achievement', id);
    return row;
  }
}

function checkedCriteria(input: unknown): AchievementCriteria {
  const parsed = parseCriteria(input);
  if (!parsed.criteria) throw new ValidationFailedError(parsed.errors);
  return parsed.criteria;
}

/** A tier_reached criteria must name one of the tenant's tiers, or it could never be met. */
async function checkTier(manager: EntityManager, tenantId: string, criteria: AchievementCriteria): Promise<void> {
  if (criteria.type !== 'tier_reached') return;
  const [tier] = (await manager.query(`SELECT id FROM tiers WHERE tenant_id = $1 AND id = $2`, [
    tenantId,
    criteria.tier_id,
  ])) as unknown[];
  if (!tier) throw new ValidationFailedError([{ field: 'criteria.tier_id', message: 'is not a tier of this tenant' }]);
}
