import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../../common/auth/access.decorators';
import { tenantIdOf } from '../../../common/auth/actor';
import {
  BusinessRuleError,
  FieldError,
  NotFoundError,
  ValidationFailedError,
} from '../../../common/errors/domain-error';
import { isUuid } from '../../../common/ids';
import { IdempotencyService, IdempotentRequest } from '../../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../../common/idempotency/idempotent-outcome';
import { cursorTimestamp, decodeCursor, Page, pageOf } from '../../../common/pagination/pagination';
import { TenantDatabase } from '../../../database/tenant-database.service';
import { AuditService } from '../../audit/audit.service';
import { CreateProgramDto, ProgramDto, ProgramListQueryDto, UpdateProgramDto } from './dto/program.dto';
import {
  DEFAULT_EARN_POLICY,
  storedEarnPolicy,
  storedExpiryPolicy,
  validateEarnPolicy,
  validateExpiryPolicy,
} from './program-policies';

interface ProgramRow {
  id: string;
  name: string;
  point_name: string;
  status: ProgramDto['status'];
  is_default: boolean;
  earn_policy: unknown;
  expiry_policy: unknown;
  pending_days: number;
  tier_downgrade_policy: ProgramDto['tier_downgrade_policy'];
  created_at: Date;
  updated_at: Date;
  /** created_at to the microsecond, so that a page boundary never falls between two rows. */
  position: string;
}

const PROGRAM_COLUMNS = `id, name, point_name, status, is_default, earn_policy, expiry_policy, pending_days,
  tier_downgrade_policy, created_at, updated_at, ${cursorTimestamp('created_at')} AS position`;

function toProgramDto(row: ProgramRow): ProgramDto {
  return {
    id: row.id,
    name: row.name,
    point_name: row.point_name,
    status: row.status,
    is_default: row.is_default,
    earn_policy: storedEarnPolicy(row.earn_policy),
    expiry_policy: storedExpiryPolicy(row.expiry_policy),
    pending_days: row.pending_days,
    tier_downgrade_policy: row.tier_downgrade_policy,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const blank = (field: string, value: string | null | undefined): FieldError[] =>
  typeof value === 'string' && value.trim() === '' ? [{ field, message: 'must not be blank' }] : [];

/** What the audit log keeps of a program: everything but the timestamps. */
function audited(program: ProgramDto): object {
  const { created_at: _created, updated_at: _updated, ...rest } = program;
  return rest;
}

/**
 * A tenant's loyalty programs. Invariant: a tenant that has programs has exactly one default (the
 * program that activities and rules without a program_id use), and the default is active. Every
 * change to which program is the default runs under a per-tenant advisory lock, so two concurrent
 * requests cannot both see "no other default" and leave zero or two behind.
 */
@Injectable()
export class ProgramsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string, query: ProgramListQueryDto): Promise<Page<ProgramDto>> {
    const position = decodeCursor(query.cursor, 2);
    const parameters: unknown[] = [tenantId, query.limit + 1];
    const conditions = ['tenant_id = $1'];
    if (query.status) {
      parameters.push(query.status);
      conditions.push(`status = $${parameters.length}`);
    }
    if (position) {
      parameters.push(position[0], position[1]);
      conditions.push(`(created_at, id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
    }
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${PROGRAM_COLUMNS} FROM programs WHERE ${conditions.join(' AND ')}
          ORDER BY created_at DESC, id DESC LIMIT $2`,
        parameters,
      ),
    )) as ProgramRow[];
    return pageOf(rows, query.limit, toProgramDto, (row) => [row.position, row.id]);
  }

  async get(tenantId: string, programId: string): Promise<ProgramDto> {
    return toProgramDto(await this.database.run(tenantId, (manager) => this.find(manager, tenantId, programId)));
  }

  create(caller: Caller, request: IdempotentRequest, input: CreateProgramDto): Promise<IdempotentOutcome<ProgramDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const earn = validateEarnPolicy(input.earn_policy ?? {}, DEFAULT_EARN_POLICY);
    const expiry = validateExpiryPolicy(input.expiry_policy ?? null);
    const errors = [
      ...earn.errors,
      ...expiry.errors,
      ...blank('name', input.name),
      ...blank('point_name', input.point_name),
    ];
    if (errors.length) throw new ValidationFailedError(errors);

    return this.idempotency.execute(request, 201, async (manager) => {
      await this.lockDefault(manager, tenantId);
      const [current] = (await manager.query(
        `SELECT ${PROGRAM_COLUMNS} FROM programs WHERE tenant_id = $1 AND is_default FOR UPDATE`,
        [tenantId],
      )) as ProgramRow[];
      // A tenant without a default (none provisioned yet) gets this one: there must always be one.
      const isDefault = input.is_default === true || current === undefined;
      if (isDefault && current) await this.undefault(manager, caller, tenantId, current);
      const [row] = (await manager.query(
        `INSERT INTO programs (tenant_id, name, point_name, is_default, earn_policy, expiry_policy, pending_days,
                               tier_downgrade_policy)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${PROGRAM_COLUMNS}`,
        [
          tenantId,
          input.name.trim(),
          input.point_name?.trim() ?? 'points',
          isDefault,
          JSON.stringify(earn.value),
          JSON.stringify(expiry.value),
          input.pending_days ?? 0,
          input.tier_downgrade_policy ?? 'never',
        ],
      )) as ProgramRow[];
      const created = toProgramDto(row);
      await this.audit.record(manager, tenantId, caller, {
        action: 'program.created',
        targetType: 'program',
        targetId: created.id,
        after: audited(created),
      });
      return created;
    });
  }

  async update(caller: Caller, programId: string, input: UpdateProgramDto): Promise<ProgramDto> {
    const tenantId = tenantIdOf(caller.actor);
    return this.database.run(tenantId, async (manager) => {
      await this.lockDefault(manager, tenantId);
      const existing = await this.find(manager, tenantId, programId, true);
      const before = toProgramDto(existing);

      const errors: FieldError[] = [];
      const earn =
        input.earn_policy === undefined ? undefined : validateEarnPolicy(input.earn_policy, before.earn_policy);
      const expiry = input.expiry_policy === undefined ? undefined : validateExpiryPolicy(input.expiry_policy);
      errors.push(...(earn?.errors ?? []), ...(expiry?.errors ?? []));
      errors.push(...blank('name', input.name), ...blank('point_name', input.point_name));
      if (errors.length) throw new ValidationFailedError(errors);

      const status = input.status ?? existing.status;
      const becomesDefault = input.is_default === true && !existing.is_default;
      if (input.is_default === false && existing.is_default) {
        throw new BusinessRuleError(
          'default_program_required',
          'A tenant always has one default program: make another program the default instead.',
        );
      }
      if (status === 'archived' && existing.is_default) {
        throw new BusinessRuleError(
          'default_program',
          'The default program cannot be archived: make another program the default first.',
        );
      }
      if (status === 'archived' && input.is_default === true) {
        throw new BusinessRuleError('program_archived', 'An archived program cannot be the default program.');
      }

      if (becomesDefault) {
        const [current] = (await manager.query(
          `SELECT ${PROGRAM_COLUMNS} FROM programs WHERE tenant_id = $1 AND is_default AND id <> $2 FOR UPDATE`,
          [tenantId, programId],
        )) as ProgramRow[];
        if (current) await this.undefault(manager, caller, tenantId, current);
      }
      const [[row]] = (await manager.query(
        `UPDATE programs SET name = $3, point_name = $4, status = $5, is_default = $6, earn_policy = $7,
                expiry_policy = $8, pending_days = $9, tier_downgrade_policy = $10, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 RETURNING ${PROGRAM_COLUMNS}`,
        [
          tenantId,
          programId,
          input.name?.trim() ?? existing.name,
          input.point_name?.trim() ?? existing.point_name,
          status,
          existing.is_default || becomesDefault,
          JSON.stringify(earn?.value ?? before.earn_policy),
          JSON.stringify(expiry?.value ?? before.expiry_policy),
          input.pending_days ?? existing.pending_days,
          input.tier_downgrade_policy ?? existing.tier_downgrade_policy,
        ],
      )) as [ProgramRow[], number];
      const after = toProgramDto(row);
      await this.audit.record(manager, tenantId, caller, {
        action: 'program.updated',
        targetType: 'program',
        targetId: programId,
        before: audited(before),
        after: audited(after),
      });
      return after;
    });
  }

  /** The program, or a 404 (also for another tenant's program and for an id that is not a UUID). */
  private async find(manager: EntityManager, tenantId: string, programId: string, forUpdate = false) {
    if (!isUuid(programId)) throw new NotFoundError('Program', programId);
    const [row] = (await manager.query(
      `SELECT ${PROGRAM_COLUMNS} FROM programs WHERE tenant_id = $1 AND id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [tenantId, programId],
    )) as ProgramRow[];
    if (!row) throw new NotFoundError('Program', programId);
    return row;
  }

  /** Serialises changes of the tenant's default program (see the class comment). */
  private async lockDefault(manager: EntityManager, tenantId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`programs.default:${tenantId}`]);
  }

  /** The previous default stops being default; audited as its own change. */
  private async undefault(manager: EntityManager, caller: Caller, tenantId: string, current: ProgramRow) {
    // An UPDATE answers [rows, affected count] through TypeORM's query().
    const [[row]] = (await manager.query(
      `UPDATE programs SET is_default = false, updated_at = now() WHERE tenant_id = $1 AND id = $2
       RETURNING ${PROGRAM_COLUMNS}`,
      [tenantId, current.id],
    )) as [ProgramRow[], number];
    await this.audit.record(manager, tenantId, caller, {
      action: 'program.updated',
      targetType: 'program',
      targetId: current.id,
      before: audited(toProgramDto(current)),
      after: audited(toProgramDto(row)),
    });
  }
}
