import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { BusinessRuleError, FieldError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { cursorTimestamp, decodeCursor, Page, PageQueryDto, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { ChallengeGoal, ChallengeKind, JoinMode, parseGoal, statusOf, targetOf } from './challenge-goal';
import { ChallengeDto, CreateChallengeDto, MyChallengeDto, UpdateChallengeDto } from './dto/challenge.dto';
import { customerOf } from './gamification-caller';

interface ChallengeRow {
  id: string;
  name: string;
  description: string;
  kind: ChallengeKind;
  goal: ChallengeGoal;
  starts_at: Date;
  ends_at: Date;
  join_mode: JoinMode;
  points: number;
  progress: string;
  completed_at: Date | null;
  active: boolean;
  participants: number;
  completed_participants: number;
  created_at: Date;
  updated_at: Date;
  position: string;
}

interface MyChallengeRow extends ChallengeRow {
  joined_at: Date | null;
  my_progress: string | null;
  my_completed_at: Date | null;
  starts_position: string;
}

const COLUMNS = `c.id, c.name, c.description, c.kind, c.goal, c.starts_at, c.ends_at, c.join_mode, c.points, c.progress,
  c.completed_at, c.active, c.created_at, c.updated_at,
  (SELECT count(*)::int FROM challenge_participants p WHERE p.tenant_id = c.tenant_id AND p.challenge_id = c.id)
    AS participants,
  (SELECT count(*)::int FROM challenge_participants p
    WHERE p.tenant_id = c.tenant_id AND p.challenge_id = c.id AND p.completed_at IS NOT NULL) AS completed_participants,
  ${cursorTimestamp('c.created_at')} AS position`;

const MINE_COLUMNS = `${COLUMNS}, me.joined_at, me.progress AS my_progress, me.completed_at AS my_completed_at,
  ${cursorTimestamp('c.starts_at')} AS starts_position`;
const MINE_FROM = `FROM challenges c
  LEFT JOIN challenge_participants me ON me.tenant_id = c.tenant_id AND me.challenge_id = c.id AND me.customer_id = $2`;

const capped = (current: number, target: number) => ({ current: Math.min(current, target), target });

function communityProgress(row: ChallengeRow) {
  return row.kind === 'community' ? capped(Number(row.progress), targetOf(row.goal)) : null;
}

function toDto(row: ChallengeRow, now = new Date()): ChallengeDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    goal: row.goal,
    starts_at: row.starts_at.toISOString(),
    ends_at: row.ends_at.toISOString(),
    join_mode: row.join_mode,
    points: row.points,
    active: row.active,
    status: statusOf({ startsAt: row.starts_at, endsAt: row.ends_at, completedAt: row.completed_at }, now),
    community_progress: communityProgress(row),
    completed_at: row.completed_at?.toISOString() ?? null,
    participants: row.participants,
    completed_participants: row.completed_participants,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function toMyDto(row: MyChallengeRow, now = new Date()): MyChallengeDto {
  const target = targetOf(row.goal);
  const mine = Number(row.my_progress ?? 0);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    goal: row.goal,
    starts_at: row.starts_at.toISOString(),
    ends_at: row.ends_at.toISOString(),
    join_mode: row.join_mode,
    points: row.points,
    status: statusOf({ startsAt: row.starts_at, endsAt: row.ends_at, completedAt: row.completed_at }, now),
    joined: row.joined_at !== null,
    joined_at: row.joined_at?.toISOString() ?? null,
    completed_at: row.my_completed_at?.toISOString() ?? null,
    // A community contribution is shown against the shared target, uncapped below it.
    progress: row.kind === 'personal' ? capped(mine, target) : { current: mine, target },
    community_progress: communityProgress(row),
  };
}

interface ChallengeValues {
  name: string;
  description: string;
  kind: ChallengeKind;
  goal: ChallengeGoal;
  starts_at: Date;
  ends_at: Date;
  join_mode: JoinMode;
  points: number;
  active: boolean;
}

const STORED = [
  'name',
  'description',
  'kind',
  'goal',
  'starts_at',
  'ends_at',
  'join_mode',
  'points',
  'active',
] as const satisfies ReadonlyArray<keyof ChallengeValues>;

/** Challenges: administration (audited) and the customer app's view, with joining. */
@Injectable()
export class ChallengesService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string, query: PageQueryDto): Promise<Page<ChallengeDto>> {
    const position = decodeCursor(query.cursor, 2);
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${COLUMNS} FROM challenges c WHERE c.tenant_id = $1
            ${position ? 'AND (c.created_at, c.id) < ($3::timestamptz, $4::uuid)' : ''}
          ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
        position ? [tenantId, query.limit + 1, position[0], position[1]] : [tenantId, query.limit + 1],
      ),
    )) as ChallengeRow[];
    const now = new Date();
    return pageOf(
      rows,
      query.limit,
      (row) => toDto(row, now),
      (row) => [row.position, row.id],
    );
  }

  async get(tenantId: string, id: string): Promise<ChallengeDto> {
    return toDto(await this.database.run(tenantId, (manager) => this.find(manager, tenantId, id)));
  }

  create(
    caller: Caller,
    request: IdempotentRequest,
    input: CreateChallengeDto,
  ): Promise<IdempotentOutcome<ChallengeDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const errors: FieldError[] = [];
    const { goal, errors: goalErrors } = parseGoal(input.goal);
    errors.push(...goalErrors);
    const values: ChallengeValues = {
      name: input.name,
      description: input.description ?? '',
      kind: input.kind,
      goal: goal!,
      starts_at: new Date(input.starts_at),
      ends_at: new Date(input.ends_at),
      join_mode: input.join_mode ?? 'explicit',
      points: input.points ?? 0,
      active: input.active ?? true,
    };
    errors.push(...windowErrors(values));
    if (errors.length) throw new ValidationFailedError(errors);
    return this.idempotency.execute(request, 201, async (manager) => {
      const [{ id }] = (await manager.query(
        `INSERT INTO challenges (tenant_id, ${STORED.join(', ')})
         VALUES ($1, ${STORED.map((_, index) => `$${index + 2}`).join(', ')}) RETURNING id`,
        [tenantId, ...STORED.map((key) => stored(values, key))],
      )) as Array<{ id: string }>;
      const created = toDto(await this.find(manager, tenantId, id));
      await this.audit.record(manager, tenantId, caller, {
        action: 'challenge.created',
        targetType: 'challenge',
        targetId: id,
        after: created,
      });
      return created;
    });
  }

  /**
   * Changes a challenge. Its kind and goal are fixed once it has started (progress was counted
   * against them); its window may move, which also lets an admin end it early or extend it.
   */
  update(caller: Caller, id: string, input: UpdateChallengeDto): Promise<ChallengeDto> {
    const tenantId = tenantIdOf(caller.actor);
    const goal = input.goal === undefined ? undefined : parseGoal(input.goal);
    if (goal?.errors.length) throw new ValidationFailedError(goal.errors);
    return this.database.run(tenantId, async (manager) => {
      const existing = await this.find(manager, tenantId, id, true);
      const now = new Date();
      if ((input.kind !== undefined || goal !== undefined) && existing.starts_at <= now) {
        throw new BusinessRuleError(
          'challenge_started',
          'The kind and goal of a challenge that has started cannot change.',
        );
      }
      const values: ChallengeValues = {
        name: input.name ?? existing.name,
        description: input.description ?? existing.description,
        kind: input.kind ?? existing.kind,
        goal: goal?.goal ?? existing.goal,
        starts_at: input.starts_at ? new Date(input.starts_at) : existing.starts_at,
        ends_at: input.ends_at ? new Date(input.ends_at) : existing.ends_at,
        join_mode: input.join_mode ?? existing.join_mode,
        points: input.points ?? existing.points,
        active: input.active ?? existing.active,
      };
      const errors = windowErrors(values);
      if (errors.length) throw new ValidationFailedError(errors);
      await manager.query(
        `UPDATE challenges SET ${STORED.map((key, index) => `${key} = $${index + 3}`).join(', ')}, updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, existing.id, ...STORED.map((key) => stored(values, key))],
      );
      const updated = toDto(await this.find(manager, tenantId, existing.id));
      await this.audit.record(manager, tenantId, caller, {
        action: 'challenge.updated',
        targetType: 'challenge',
        targetId: existing.id,
        before: toDto(existing),
        after: updated,
      });
      return updated;
    });
  }

  /** Challenges for the customer app: those not over yet, and any the caller took part in. */
  async mine(actor: Actor, query: PageQueryDto): Promise<Page<MyChallengeDto>> {
    const { tenantId, customerId } = customerOf(actor);
    const position = decodeCursor(query.cursor, 2);
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${MINE_COLUMNS} ${MINE_FROM}
          WHERE c.tenant_id = $1 AND c.active AND (c.ends_at > now() OR me.customer_id IS NOT NULL)
            ${position ? 'AND (c.starts_at, c.id) > ($4::timestamptz, $5::uuid)' : ''}
          ORDER BY c.starts_at, c.id LIMIT $3`,
        position
          ? [tenantId, customerId, query.limit + 1, position[0], position[1]]
          : [tenantId, customerId, query.limit + 1],
      ),
    )) as MyChallengeRow[];
    const now = new Date();
    return pageOf(
      rows,
      query.limit,
      (row) => toMyDto(row, now),
      (row) => [row.starts_position, row.id],
    );
  }

  async mineOne(actor: Actor, id: string): Promise<MyChallengeDto> {
    const { tenantId, customerId } = customerOf(actor);
    return toMyDto(await this.database.run(tenantId, (manager) => this.findMine(manager, tenantId, customerId, id)));
  }

  /**
   * Joins the caller to a challenge that has not ended (an upcoming one too). Joining again
   * changes nothing and answers 200 with the same state.
   */
  async join(actor: Actor, id: string): Promise<IdempotentOutcome<MyChallengeDto>> {
    const { tenantId, customerId } = customerOf(actor);
    return this.database.run(tenantId, async (manager) => {
      const challenge = await this.findMine(manager, tenantId, customerId, id);
      if (challenge.joined_at !== null) return new IdempotentOutcome(200, toMyDto(challenge), false);
      if (challenge.completed_at !== null) {
        throw new BusinessRuleError('challenge_completed', 'This community challenge has already reached its goal.');
      }
      if (challenge.ends_at <= new Date()) throw new BusinessRuleError('challenge_ended', 'This challenge has ended.');
      await manager.query(
        `INSERT INTO challenge_participants (tenant_id, challenge_id, customer_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [tenantId, challenge.id, customerId],
      );
      return new IdempotentOutcome(201, toMyDto(await this.findMine(manager, tenantId, customerId, id)), false);
    });
  }

  private async find(manager: EntityManager, tenantId: string, id: string, lock = false): Promise<ChallengeRow> {
    if (!isUuid(id)) throw new NotFoundError('Challenge', id);
    const [row] = (await manager.query(
      `SELECT ${COLUMNS} FROM challenges c WHERE c.tenant_id = $1 AND c.id = $2 ${lock ? 'FOR NO KEY UPDATE OF c' : ''}`,
      [tenantId, id],
    )) as ChallengeRow[];
    if (!row) throw new NotFoundError('Challenge', id);
    return row;
  }

  /** Hidden (inactive) challenges are not found by customers. */
  private async findMine(manager: EntityManager, tenantId: string, customerId: string, id: string) {
    if (!isUuid(id)) throw new NotFoundError('Challenge', id);
    const [row] = (await manager.query(
      `SELECT ${MINE_COLUMNS} ${MINE_FROM} WHERE c.tenant_id = $1 AND c.id = $3 AND c.active`,
      [tenantId, customerId, id],
    )) as MyChallengeRow[];
    if (!row) throw new NotFoundError('Challenge', id);
    return row;
  }
}

function windowErrors(values: ChallengeValues): FieldError[] {
  return values.ends_at > values.starts_at ? [] : [{ field: 'ends_at', message: 'must be after starts_at' }];
}

function stored(values: ChallengeValues, key: (typeof STORED)[number]): unknown {
  return key === 'goal' ? JSON.stringify(values.goal) : values[key];
}
