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
import { RULE_COLUMNS, toEvaluableRule } from '../activities/earning-context';
import { CreateRuleDto, RuleDto, RuleListQueryDto, UpdateRuleDto } from './dto/rule.dto';
import { RuleDefinition, validateRuleDefinition, validateRulePatch } from './rule-definition';

export type RuleRow = Parameters<typeof toEvaluableRule>[0] & {
  created_at: Date;
  updated_at: Date;
  /** created_at to the microsecond, so that a page boundary never falls between two rows. */
  position: string;
};

const COLUMNS = `${RULE_COLUMNS}, created_at, updated_at, ${cursorTimestamp('created_at')} AS position`;

/** A stored rule as a definition: exactly what validateRuleDefinition accepts back. */
function definitionOf(row: RuleRow): RuleDefinition {
  const { id: _id, ...definition } = toEvaluableRule(row);
  return definition;
}

function toRuleDto(row: RuleRow): RuleDto {
  return {
    id: row.id,
    ...definitionOf(row),
    program_id: row.program_id,
    points_awarded: Number(row.points_awarded),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** A validated definition's columns, name to active, in the order of INSERT and UPDATE below. */
function storedValues(definition: RuleDefinition): unknown[] {
  return [
    definition.name,
    definition.rule_type,
    definition.custom_type,
    definition.priority,
    definition.stacking,
    JSON.stringify(definition.conditions),
    JSON.stringify(definition.effect),
    JSON.stringify(definition.caps),
    definition.start_date,
    definition.end_date,
    definition.active,
  ];
}

/** Stores a rule validated by validateRuleDefinition in `programId` (the API, and the demo seed). */
export async function insertRule(
  manager: EntityManager,
  tenantId: string,
  programId: string,
  definition: RuleDefinition,
): Promise<RuleRow> {
  const [row] = (await manager.query(
    `INSERT INTO rules (tenant_id, program_id, name, rule_type, custom_type, priority, stacking, conditions, effect,
                        caps, start_date, end_date, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${COLUMNS}`,
    [tenantId, programId, ...storedValues(definition)],
  )) as RuleRow[];
  return row;
}

/** Plain JSON of the request body (the validation pipe hands over a class instance). */
const plain = (body: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));

/**
 * Earning rules. What is stored is the normalised definition that validateRuleDefinition returns,
 * so the earning path (activities/earning-context.ts) reads back exactly what was validated.
 */
@Injectable()
export class RulesService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string, query: RuleListQueryDto): Promise<Page<RuleDto>> {
    const position = decodeCursor(query.cursor, 2);
    const parameters: unknown[] = [tenantId, query.limit + 1];
    const conditions = ['tenant_id = $1'];
    const where = (sql: string, value: unknown) => {
      parameters.push(value);
      conditions.push(sql.replace('?', `$${parameters.length}`));
    };
    if (query.program_id) where('program_id = ?::uuid', query.program_id);
    if (query.rule_type) where('rule_type = ?', query.rule_type);
    if (query.active) where('active = ?::boolean', query.active === 'true');
    if (position) {
      parameters.push(position[0], position[1]);
      conditions.push(`(created_at, id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
    }
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${COLUMNS} FROM rules WHERE ${conditions.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $2`,
        parameters,
      ),
    )) as RuleRow[];
    return pageOf(rows, query.limit, toRuleDto, (row) => [row.position, row.id]);
  }

  async get(tenantId: string, ruleId: string): Promise<RuleDto> {
    return toRuleDto(await this.database.run(tenantId, (manager) => this.find(manager, tenantId, ruleId, false)));
  }

  create(caller: Caller, request: IdempotentRequest, input: CreateRuleDto): Promise<IdempotentOutcome<RuleDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const validation = validateRuleDefinition(plain(input));
    if (!validation.value) throw new ValidationFailedError(validation.errors, 'The rule has invalid fields.');
    const definition = validation.value;

    return this.idempotency.execute(request, 201, async (manager) => {
      const programId = await this.resolveProgram(manager, tenantId, definition.program_id);
      await this.checkTiers(manager, tenantId, programId, definition);
      const row = await insertRule(manager, tenantId, programId, definition);
      const created = toRuleDto(row);
      await this.audit.record(manager, tenantId, caller, {
        action: 'rule.created',
        targetType: 'rule',
        targetId: created.id,
        after: definitionOf(row),
      });
      return created;
    });
  }

  async update(caller: Caller, ruleId: string, input: UpdateRuleDto): Promise<RuleDto> {
    const tenantId = tenantIdOf(caller.actor);
    return this.database.run(tenantId, async (manager) => {
      const existing = await this.find(manager, tenantId, ruleId, true);
      const before = definitionOf(existing);
      const patch = plain(input);
      // A rule's history (points_awarded, the ledger's rule_id) belongs to its program.
      if (
        patch.program_id !== undefined &&
        (typeof patch.program_id !== 'string' || patch.program_id.toLowerCase() !== existing.program_id)
      ) {
        throw new ValidationFailedError([
          { field: 'program_id', message: 'cannot be changed: create the rule in the other program instead' },
        ]);
      }
      const validation = validateRulePatch(before, patch);
      if (!validation.value) throw new ValidationFailedError(validation.errors, 'The rule has invalid fields.');
      const definition = validation.value;
      await this.checkTiers(manager, tenantId, existing.program_id, definition);
      const [[row]] = (await manager.query(
        `UPDATE rules SET name = $3, rule_type = $4, custom_type = $5, priority = $6, stacking = $7, conditions = $8,
                effect = $9, caps = $10, start_date = $11, end_date = $12, active = $13, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [tenantId, existing.id, ...storedValues(definition)],
      )) as [RuleRow[], number];
      await this.audit.record(manager, tenantId, caller, {
        action: 'rule.updated',
        targetType: 'rule',
        targetId: existing.id,
        before,
        after: definitionOf(row),
      });
      return toRuleDto(row);
    });
  }

  private async find(manager: EntityManager, tenantId: string, ruleId: string, forUpdate: boolean): Promise<RuleRow> {
    if (!isUuid(ruleId)) throw new NotFoundError('Rule', ruleId);
    const [row] = (await manager.query(
      `SELECT ${COLUMNS} FROM rules WHERE tenant_id = $1 AND id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [tenantId, ruleId],
    )) as RuleRow[];
    if (!row) throw new NotFoundError('Rule', ruleId);
    return row;
  }

  /**
   * The program the rule goes to: the one named (a 400 on program_id when it is not a program of
   * this tenant, since the URL's resource is fine and the body is not), else the default.
   */
  private async resolveProgram(manager: EntityManager, tenantId: string, programId: string | null): Promise<string> {
    const [program] = (await manager.query(
      programId
        ? `SELECT id FROM programs WHERE tenant_id = $1 AND id = $2`
        : `SELECT id FROM programs WHERE tenant_id = $1 AND is_default ORDER BY created_at, id LIMIT 1`,
      programId ? [tenantId, programId] : [tenantId],
    )) as Array<{ id: string }>;
    if (program) return program.id;
    if (programId)
      throw new ValidationFailedError([{ field: 'program_id', message: 'is not a program of this tenant' }]);
    throw new BusinessRuleError('no_default_program', 'The tenant has no default program: create a program first.');
  }

  /**
   * Every tier a rule names must be a tier of its program: a tier of another program (or a deleted
   * one) could never be the customer's tier there, and the rule would silently never fire.
   * The program row is locked first, as tier changes lock it, so that a tier cannot be deleted
   * between this check and the commit (the delete checks for rules naming it under the same lock).
   * Locations are not checked: the locations table does not exist yet (check them here once it does).
   */
  private async checkTiers(
    manager: EntityManager,
    tenantId: string,
    programId: string,
    definition: RuleDefinition,
  ): Promise<void> {
    const tierIds = definition.conditions.tier_ids ?? [];
    if (tierIds.length === 0) return;
    await manager.query(`SELECT id FROM programs WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE`, [
      tenantId,
      programId,
    ]);
    const found = (await manager.query(
      `SELECT id FROM tiers WHERE tenant_id = $1 AND program_id = $2 AND id = ANY($3::uuid[])`,
      [tenantId, programId, tierIds],
    )) as Array<{ id: string }>;
    const known = new Set(found.map((tier) => tier.id));
    const errors: FieldError[] = tierIds.flatMap((id, index) =>
      known.has(id) ? [] : [{ field: `conditions.tier_ids[${index}]`, message: 'is not a tier of the rule’s program' }],
    );
    if (errors.length) throw new ValidationFailedError(errors, 'The rule has invalid fields.');
  }
}
