import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../../common/auth/access.decorators';
import { tenantIdOf } from '../../../common/auth/actor';
import {
  BusinessRuleError,
  ConflictError,
  DomainError,
  FieldError,
  NotFoundError,
  ValidationFailedError,
} from '../../../common/errors/domain-error';
import { isUuid } from '../../../common/ids';
import { IdempotencyService, IdempotentRequest } from '../../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../../common/idempotency/idempotent-outcome';
import { TenantDatabase } from '../../../database/tenant-database.service';
import { AuditService } from '../../audit/audit.service';
import { CreateTierDto, ProgramTierDto, ProgramTierListDto, TierBasisName, UpdateTierDto } from './dto/tier.dto';
import { checkWindow, describeConflict, ladderConflict, readBenefits, TIER_LIMITS, TierBenefits } from './tier-ladder';

interface TierRow {
  id: string;
  program_id: string;
  name: string;
  rank: number;
  threshold: string;
  basis: TierBasisName;
  window_days: number | null;
  benefits: Record<string, string | number | boolean> | null;
  created_at: Date;
  updated_at: Date;
}

/** A tier as it will be stored: validated and normalised. */
interface TierFields {
  name: string;
  rank: number;
  threshold: number;
  basis: TierBasisName;
  window_days: number | null;
  benefits: TierBenefits;
}

const TIER_COLUMNS = `id, program_id, name, rank, threshold, basis, window_days, benefits, created_at, updated_at`;

function toTierDto(row: TierRow): ProgramTierDto {
  return {
    id: row.id,
    program_id: row.program_id,
    name: row.name,
    rank: row.rank,
    threshold: Number(row.threshold),
    basis: row.basis,
    window_days: row.window_days,
    benefits: { earn_multiplier: 1, ...(row.benefits ?? {}) },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function audited(tier: ProgramTierDto): object {
  const { created_at: _created, updated_at: _updated, ...rest } = tier;
  return rest;
}

const UNIQUE_CONSTRAINTS: Record<string, () => ConflictError> = {
  tiers_program_name_key: () => new ConflictError('tier_name_taken', 'The program already has a tier of this name.'),
  tiers_program_rank_key: () => new ConflictError('tier_rank_taken', 'The program already has a tier at this rank.'),
};

/** A unique violation that slipped past the checks below (they run under the program lock, so it should not). */
function asConflict(error: unknown): unknown {
  const constraint = (error as { constraint?: string }).constraint;
  return (constraint && UNIQUE_CONSTRAINTS[constraint]?.()) || error;
}

/**
 * The tiers of a program. Every change to a program's ladder first locks the program row, so
 * the checks that span the ladder (unique name and rank, thresholds rising with rank, tiers in use)
 * see every other change to it. `FOR NO KEY UPDATE` leaves the foreign-key locks that earning
 * takes on the program free, so earning is not held up by an admin editing tiers.
 */
@Injectable()
export class TiersService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string, programId: string): Promise<ProgramTierListDto> {
    const rows = await this.database.run(tenantId, async (manager) => {
      await this.findProgram(manager, tenantId, programId, false);
      return (await manager.query(
        `SELECT ${TIER_COLUMNS} FROM tiers WHERE tenant_id = $1 AND program_id = $2 ORDER BY rank`,
        [tenantId, programId],
      )) as TierRow[];
    });
    return { data: rows.map(toTierDto), next_cursor: null };
  }

  async create(
    caller: Caller,
    request: IdempotentRequest,
    programId: string,
    input: CreateTierDto,
  ): Promise<IdempotentOutcome<ProgramTierDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const benefits = readBenefits(input.benefits);
    const windowDays = input.window_days ?? null;
    const errors = [...checkWindow(input.basis, windowDays), ...benefits.errors, ...blankName(input.name)];
    if (errors.length) throw new ValidationFailedError(errors);

    try {
      return await this.idempotency.execute(request, 201, async (manager) => {
        await this.findProgram(manager, tenantId, programId, true);
        const ladder = await this.ladder(manager, tenantId, programId);
        if (ladder.length >= TIER_LIMITS.tiersPerProgram) {
          throw new BusinessRuleError(
            'tier_limit_reached',
            `A program has at most ${TIER_LIMITS.tiersPerProgram} tiers.`,
          );
        }
        const tier: TierFields = {
          name: input.name.trim(),
          rank: input.rank ?? (ladder.length ? Math.max(...ladder.map((rung) => rung.rank)) + 1 : 0),
          threshold: input.threshold,
          basis: input.basis,
          window_days: windowDays,
          benefits: benefits.value!,
        };
        if (tier.rank > TIER_LIMITS.rankMax) {
          throw new ValidationFailedError([
            { field: 'rank', message: `the ladder is full up to rank ${TIER_LIMITS.rankMax}: give a free rank` },
          ]);
        }
        this.checkLadder(ladder, tier, null, input);
        const [row] = (await manager.query(
          `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold, basis, window_days, benefits)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${TIER_COLUMNS}`,
          [
            tenantId,
            programId,
            tier.name,
            tier.rank,
            tier.threshold,
            tier.basis,
            tier.window_days,
            JSON.stringify(tier.benefits),
          ],
        )) as TierRow[];
        const created = toTierDto(row);
        await this.audit.record(manager, tenantId, caller, {
          action: 'tier.created',
          targetType: 'tier',
          targetId: created.id,
          after: audited(created),
        });
        return created;
      });
    } catch (error) {
      throw asConflict(error);
    }
  }

  async update(caller: Caller, tierId: string, input: UpdateTierDto): Promise<ProgramTierDto> {
    const tenantId = tenantIdOf(caller.actor);
    try {
      return await this.database.run(tenantId, async (manager) => {
        const existing = await this.lockTier(manager, tenantId, tierId);
        const before = toTierDto(existing);
        const basis = input.basis ?? existing.basis;
        // Switching to lifetime drops the window (it means nothing there) unless the client sent one.
        const windowDays =
          input.window_days !== undefined ? input.window_days : basis === 'lifetime' ? null : existing.window_days;
        const benefits =
          input.benefits === undefined
            ? { value: before.benefits as TierBenefits, errors: [] }
            : readBenefits(input.benefits === null ? null : { ...before.benefits, ...input.benefits });
        const errors = [
          ...checkWindow(basis, windowDays),
          ...benefits.errors,
          ...(input.name === undefined ? [] : blankName(input.name)),
        ];
        if (errors.length) throw new ValidationFailedError(errors);

        const tier: TierFields = {
          name: input.name?.trim() ?? existing.name,
          rank: input.rank ?? existing.rank,
          threshold: input.threshold ?? Number(existing.threshold),
          basis,
          window_days: windowDays,
          benefits: benefits.value!,
        };
        this.checkLadder(await this.ladder(manager, tenantId, existing.program_id), tier, existing.id, input);
        const [[row]] = (await manager.query(
          `UPDATE tiers SET name = $3, rank = $4, threshold = $5, basis = $6, window_days = $7, benefits = $8,
                  updated_at = now()
            WHERE tenant_id = $1 AND id = $2 RETURNING ${TIER_COLUMNS}`,
          [
            tenantId,
            existing.id,
            tier.name,
            tier.rank,
            tier.threshold,
            tier.basis,
            tier.window_days,
            JSON.stringify(tier.benefits),
          ],
        )) as [TierRow[], number];
        const after = toTierDto(row);
        await this.audit.record(manager, tenantId, caller, {
          action: 'tier.updated',
          targetType: 'tier',
          targetId: existing.id,
          before: audited(before),
          after: audited(after),
        });
        return after;
      });
    } catch (error) {
      throw asConflict(error);
    }
  }

  /**
   * Deletes a tier nobody holds and no rule names. A tier in use is refused (409 `tier_in_use`)
   * rather than its holders moved: moving customers changes their earning and is a tier change they
   * are told about, which belongs to the tier review, not to a side effect of editing the ladder.
   * Raise its threshold out of reach and let the review move them, then delete it.
   */
  async remove(caller: Caller, tierId: string): Promise<void> {
    const tenantId = tenantIdOf(caller.actor);
    await this.database.run(tenantId, async (manager) => {
      const existing = await this.lockTier(manager, tenantId, tierId);
      // Locked before its holders are counted: an account moving into it meanwhile (moveTier
      // KEY SHARE-locks it) is either counted or finds it gone.
      await manager.query(`SELECT 1 FROM tiers WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, existing.id]);
      const [{ accounts }] = (await manager.query(
        `SELECT count(*)::int AS accounts FROM loyalty_accounts WHERE tenant_id = $1 AND tier_id = $2`,
        [tenantId, existing.id],
      )) as Array<{ accounts: number }>;
      // Stored tier_ids are lower-case (validateRuleDefinition), as is the id read back from the table.
      const rules = (await manager.query(
        `SELECT id FROM rules WHERE tenant_id = $1 AND conditions->'tier_ids' ? $2 ORDER BY id`,
        [tenantId, existing.id],
      )) as Array<{ id: string }>;
      if (accounts > 0 || rules.length > 0) {
        const held = accounts > 0 ? `${accounts} customer account(s) hold it` : '';
        const named = rules.length > 0 ? `${rules.length} rule(s) name it in conditions.tier_ids` : '';
        throw new DomainError(409, 'tier_in_use', `The tier is in use: ${[held, named].filter(Boolean).join('; ')}.`, {
          accounts,
          rule_ids: rules.map((rule) => rule.id),
        });
      }
      await manager.query(`DELETE FROM tiers WHERE tenant_id = $1 AND id = $2`, [tenantId, existing.id]);
      await this.audit.record(manager, tenantId, caller, {
        action: 'tier.deleted',
        targetType: 'tier',
        targetId: existing.id,
        before: audited(toTierDto(existing)),
      });
    });
  }

  /** The program, locked against concurrent ladder changes when `lock`; a 404 when not in this tenant. */
  private async findProgram(manager: EntityManager, tenantId: string, programId: string, lock: boolean) {
    if (!isUuid(programId)) throw new NotFoundError('Program', programId);
    const [program] = (await manager.query(
      `SELECT id FROM programs WHERE tenant_id = $1 AND id = $2 ${lock ? 'FOR NO KEY UPDATE' : ''}`,
      [tenantId, programId],
    )) as Array<{ id: string }>;
    if (!program) throw new NotFoundError('Program', programId);
  }

  /** The tier, read again after its program is locked (program first, as create does: no deadlock). */
  private async lockTier(manager: EntityManager, tenantId: string, tierId: string): Promise<TierRow> {
    if (!isUuid(tierId)) throw new NotFoundError('Tier', tierId);
    const read = async () =>
      (
        (await manager.query(`SELECT ${TIER_COLUMNS} FROM tiers WHERE tenant_id = $1 AND id = $2`, [
          tenantId,
          tierId,
        ])) as TierRow[]
      )[0];
    const unlocked = await read();
    if (!unlocked) throw new NotFoundError('Tier', tierId);
    await this.findProgram(manager, tenantId, unlocked.program_id, true);
    const tier = await read();
    if (!tier) throw new NotFoundError('Tier', tierId);
    return tier;
  }

  private async ladder(manager: EntityManager, tenantId: string, programId: string): Promise<TierRow[]> {
    return (await manager.query(`SELECT ${TIER_COLUMNS} FROM tiers WHERE tenant_id = $1 AND program_id = $2`, [
      tenantId,
      programId,
    ])) as TierRow[];
  }

  /** Name and rank free in the program (409), and the ladder still sane with `tier` in place (400). */
  private checkLadder(
    ladder: readonly TierRow[],
    tier: TierFields,
    tierId: string | null,
    input: Partial<Record<keyof TierFields, unknown>>,
  ): void {
    const others = ladder.filter((rung) => rung.id !== tierId);
    if (others.some((rung) => rung.name.toLowerCase() === tier.name.toLowerCase())) {
      throw UNIQUE_CONSTRAINTS.tiers_program_name_key();
    }
    if (others.some((rung) => rung.rank === tier.rank)) throw UNIQUE_CONSTRAINTS.tiers_program_rank_key();
    // Only pairs with this tier: an odd ladder stored earlier must not block unrelated edits.
    const conflict = others
      .map((rung) => ladderConflict([{ ...rung, threshold: Number(rung.threshold) }, tier]))
      .find((found) => found !== null);
    if (conflict) {
      const field = (['threshold', 'rank', 'basis', 'window_days'] as const).find((key) => input[key] !== undefined);
      throw new ValidationFailedError(
        [{ field: field ?? 'threshold', message: describeConflict(conflict) }],
        'The tier would break the program’s ladder.',
      );
    }
  }
}

function blankName(name: string): FieldError[] {
  return name.trim() === '' ? [{ field: 'name', message: 'must not be blank' }] : [];
}
