import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, actorKey, tenantIdOf } from '../../common/auth/actor';
import { BusinessRuleError, ForbiddenError, NotFoundError } from '../../common/errors/domain-error';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { isUuid } from '../../common/ids';
import { appendToOutbox } from '../../common/outbox/outbox';
import { cursorTimestamp, decodeCursor, Page, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { ExpiryPolicy, expiryFor } from '../loyalty/ledger/expiry-policy';
import {
  credit,
  debit,
  duePointsJoin,
  expireLots,
  LockedAccount,
  lockAccount,
  pointsNow,
  releasePending,
} from '../loyalty/ledger/ledger';
import { qualifyingWindows, TierDefinition, TierStanding } from '../loyalty/tiers/tier-evaluation';
import { standingOf } from '../loyalty/tiers/tier-standing';
import { storedExpiryPolicy } from '../loyalty/programs/program-policies';
import { loadSettings } from '../loyalty/activities/earning-context';
import { defaultProgramId } from './customer-row';
import { CustomerErasedError } from './customer.errors';
import {
  AdjustPointsDto,
  AdjustPointsResultDto,
  AdminLedgerEntryDto,
  LedgerEntryDto,
  LedgerQueryDto,
} from './dto/customer.dto';
import { BalanceDto, ExpiringPointsDto, TierDto, TierListDto, TierProgressDto } from './dto/profile.dto';
import { tierProgress } from './tier-progress';

/** The customer app shows points expiring within this many days. */
const EXPIRING_HORIZON_DAYS = 90;

interface LedgerRow {
  id: string;
  program_id: string;
  type: string;
  points: string;
  balance_after: string;
  pending: boolean;
  reason: string | null;
  activity_id: string | null;
  rule_id: string | null;
  reference: string | null;
  shortfall: string;
  actor: string | null;
  created_at: Date;
  position: string;
}

interface TierRow {
  id: string;
  name: string;
  rank: number;
  threshold: string;
  basis: 'lifetime' | 'qualifying';
  window_days: number | null;
  benefits: Record<string, unknown>;
}

interface AccountRow {
  id: string;
  customer_id: string;
  program_id: string;
  balance: string;
  pending_balance: string;
  lifetime_points: string;
  tier_id: string | null;
}

const toLedgerEntry = (row: LedgerRow): LedgerEntryDto => ({
  id: row.id,
  program_id: row.program_id,
  type: row.type,
  points: Number(row.points),
  balance_after: Number(row.balance_after),
  pending: row.pending,
  reason: row.reason,
  activity_id: row.activity_id,
  created_at: row.created_at.toISOString(),
});

const toAdminLedgerEntry = (row: LedgerRow): AdminLedgerEntryDto => ({
  ...toLedgerEntry(row),
  rule_id: row.rule_id,
  reference: row.reference,
  shortfall: Number(row.shortfall),
  actor: row.actor,
});

const toTierDto = (row: TierRow): TierDto => ({
  id: row.id,
  name: row.name,
  rank: row.rank,
  threshold: Number(row.threshold),
  basis: row.basis,
  window_days: row.window_days,
  benefits: row.benefits,
});

const toTierDefinition = (row: TierRow): TierDefinition => ({
  id: row.id,
  name: row.name,
  rank: row.rank,
  threshold: Number(row.threshold),
  basis: row.basis,
  window_days: row.window_days,
  benefits: { earn_multiplier: Number(row.benefits?.earn_multiplier ?? 1) },
});

function customerIdOf(actor: Actor): string {
  if (actor.kind !== 'user' || actor.role !== 'customer') {
    throw new ForbiddenError('Only customers have points.', 'not_a_customer');
  }
  return actor.userId;
}

/** A customer's points: admin adjustments and ledger, and the customer app's balance and tiers. */
@Injectable()
export class CustomerPointsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * A manual credit or debit through the ledger. Under an Idempotency-Key the key row and the
   * points move in one transaction: a replay or a concurrent duplicate moves nothing.
   */
  adjust(
    caller: Caller,
    request: IdempotentRequest,
    customerId: string,
    input: AdjustPointsDto,
  ): Promise<IdempotentOutcome<AdjustPointsResultDto>> {
    const tenantId = tenantIdOf(caller.actor);
    return this.idempotency.execute(request, 201, async (manager) => {
      // FOR SHARE: an erasure (FOR UPDATE) cannot slip in between this check and the ledger write.
      const [customer] = isUuid(customerId)
        ? ((await manager.query(`SELECT status FROM customers WHERE tenant_id = $1 AND id = $2 FOR SHARE`, [
            tenantId,
            customerId,
          ])) as Array<{ status: string }>)
        : [];
      if (!customer) throw new NotFoundError('Customer', isUuid(customerId) ? customerId : undefined);
      if (customer.status === 'erased') throw new CustomerErasedError();
      const program = await this.programFor(manager, tenantId, input.program_id);

      const now = new Date();
      const account = await lockAccount(manager, tenantId, customerId, program.id);
      // Due housekeeping first, so a deduction can never spend points that have already expired.
      await releasePending(manager, account, now);
      await expireLots(manager, account, now);
      const balanceBefore = account.balance;
      const entry = { type: 'adjust' as const, reason: input.reason, actor: actorKey(caller.actor) };
      let transactionId: string;
      if (input.points > 0) {
        const timeZone = await this.timeZoneOf(manager, tenantId);
        [transactionId] = await credit(manager, account, [{ ...entry, points: input.points }], {
          now,
          availableAt: null,
          expiresAt: expiryFor(program.expiry_policy, now, timeZone),
        });
      } else {
        ({ transactionId } = await debit(manager, account, { ...entry, points: -input.points }));
      }

      const result: AdjustPointsResultDto = {
        transaction_id: transactionId,
        program_id: program.id,
        points: input.points,
        balance: account.balance,
      };
      await this.audit.record(manager, tenantId, caller, {
        action: 'customer.points_adjusted',
        targetType: 'customer',
        targetId: customerId,
        before: { balance: balanceBefore },
        after: { ...result, reason: input.reason },
      });
      await appendToOutbox(manager, tenantId, [
        {
          type: 'points.adjusted',
          aggregateType: 'customer',
          aggregateId: customerId,
          payload: { customer_id: customerId, account_id: account.id, ...result, reason: input.reason },
        },
      ]);
      return result;
    });
  }

  /** The customer's ledger across their programs, newest first (admin view). */
  async transactions(tenantId: string, customerId: string, query: LedgerQueryDto): Promise<Page<AdminLedgerEntryDto>> {
    return this.database.run(tenantId, async (manager) => {
      const exists = isUuid(customerId)
        ? ((await manager.query(`SELECT 1 FROM customers WHERE tenant_id = $1 AND id = $2`, [
            tenantId,
            customerId,
          ])) as unknown[])
        : [];
      if (exists.length === 0) throw new NotFoundError('Customer', isUuid(customerId) ? customerId : undefined);
      const page = await this.ledgerPage(manager, tenantId, customerId, query);
      return { data: page.data.map(toAdminLedgerEntry), next_cursor: page.next_cursor };
    });
  }

  /** The caller's own ledger, newest first. */
  async history(actor: Actor, query: LedgerQueryDto): Promise<Page<LedgerEntryDto>> {
    const tenantId = tenantIdOf(actor);
    const customerId = customerIdOf(actor);
    const page = await this.database.run(tenantId, (manager) => this.ledgerPage(manager, tenantId, customerId, query));
    return { data: page.data.map(toLedgerEntry), next_cursor: page.next_cursor };
  }

  async balance(actor: Actor): Promise<BalanceDto> {
    const tenantId = tenantIdOf(actor);
    const customerId = customerIdOf(actor);
    return this.database.run(tenantId, async (manager) => {
      const standing = await this.standing(manager, tenantId, customerId);
      if (!standing) {
        return {
          program_id: null,
          balance: 0,
          pending_balance: 0,
          lifetime_points: 0,
          tier: null,
          next_tier: null,
          points_to_next_tier: null,
          expiring: [],
        };
      }
      const { programId, account, progress } = standing;
      return {
        program_id: programId,
        balance: Number(account?.balance ?? 0),
        pending_balance: Number(account?.pending_balance ?? 0),
        lifetime_points: Number(account?.lifetime_points ?? 0),
        tier: progress.current ? { id: progress.current.id, name: progress.current.name } : null,
        next_tier: progress.next ? { id: progress.next.id, name: progress.next.name } : null,
        points_to_next_tier: progress.points_to_next_tier,
        expiring: account ? await this.expiring(manager, tenantId, account.id) : [],
      };
    });
  }

  async tiers(actor: Actor): Promise<TierListDto> {
    const tenantId = tenantIdOf(actor);
    return this.database.run(tenantId, async (manager) => {
      const programId = await defaultProgramId(manager, tenantId);
      const rows = programId ? await this.tierRows(manager, tenantId, programId) : [];
      return { data: rows.map(toTierDto), next_cursor: null };
    });
  }

  async currentTier(actor: Actor): Promise<TierProgressDto> {
    const tenantId = tenantIdOf(actor);
    const customerId = customerIdOf(actor);
    return this.database.run(tenantId, async (manager) => {
      const standing = await this.standing(manager, tenantId, customerId);
      if (!standing) {
        return {
          program_id: null,
          tier: null,
          next_tier: null,
          basis: null,
          window_days: null,
          points: 0,
          points_to_next_tier: null,
          progress_percent: 0,
        };
      }
      const { programId, tierRows, progress } = standing;
      const dtoOf = (tier: TierDefinition | null) => {
        const row = tier ? tierRows.find((candidate) => candidate.id === tier.id) : undefined;
        return row ? toTierDto(row) : null;
      };
      return {
        program_id: programId,
        tier: dtoOf(progress.current),
        next_tier: dtoOf(progress.next),
        basis: progress.basis,
        window_days: progress.window_days,
        points: progress.points,
        points_to_next_tier: progress.points_to_next_tier,
        progress_percent: progress.percent,
      };
    });
  }

  /** The customer's default-program account (if any), the program's tiers and where they stand. */
  private async standing(manager: EntityManager, tenantId: string, customerId: string) {
    const programId = await defaultProgramId(manager, tenantId);
    if (!programId) return null;
    const points = pointsNow('a');
    const [account] = (await manager.query(
      `SELECT a.id, a.customer_id, a.program_id, ${points.balance} AS balance, ${points.pending} AS pending_balance,
              a.lifetime_points, a.tier_id
         FROM loyalty_accounts a ${duePointsJoin('a')}
        WHERE a.tenant_id = $1 AND a.customer_id = $2 AND a.program_id = $3`,
      [tenantId, customerId, programId],
    )) as Array<AccountRow | undefined>;
    const tierRows = await this.tierRows(manager, tenantId, programId);
    const tiers = tierRows.map(toTierDefinition);
    let standing: TierStanding;
    if (account) {
      const snapshot: LockedAccount = {
        tenantId,
        id: account.id,
        customerId,
        programId,
        balance: Number(account.balance),
        pendingBalance: Number(account.pending_balance),
        lifetimePoints: Number(account.lifetime_points),
        tierId: account.tier_id,
      };
      standing = await standingOf(manager, snapshot, tiers, new Date());
    } else {
      // No account yet: nothing earned, in any window.
      standing = {
        lifetime_points: 0,
        qualifying_points_in_window: Object.fromEntries(qualifyingWindows(tiers).map((days) => [days, 0])),
      };
    }
    return { programId, account, tierRows, tiers, progress: tierProgress(tiers, account?.tier_id ?? null, standing) };
  }

  private tierRows(manager: EntityManager, tenantId: string, programId: string): Promise<TierRow[]> {
    return manager.query(
      `SELECT id, name, rank, threshold, basis, window_days, benefits FROM tiers
        WHERE tenant_id = $1 AND program_id = $2 ORDER BY rank, id`,
      [tenantId, programId],
    ) as Promise<TierRow[]>;
  }

  private async expiring(manager: EntityManager, tenantId: string, accountId: string): Promise<ExpiringPointsDto[]> {
    const rows = (await manager.query(
      `SELECT expires_at, sum(remaining)::bigint AS points
         FROM point_lots
        WHERE tenant_id = $1 AND account_id = $2 AND remaining > 0 AND (NOT pending OR available_at <= now())
          AND expires_at > now() AND expires_at <= now() + make_interval(days => $3)
        GROUP BY expires_at
        ORDER BY expires_at`,
      [tenantId, accountId, EXPIRING_HORIZON_DAYS],
    )) as Array<{ expires_at: Date; points: string }>;
    return rows.map((row) => ({ points: Number(row.points), expires_at: row.expires_at.toISOString() }));
  }

  private async ledgerPage(
    manager: EntityManager,
    tenantId: string,
    customerId: string,
    query: LedgerQueryDto,
  ): Promise<Page<LedgerRow>> {
    const position = decodeCursor(query.cursor, 2);
    const parameters: unknown[] = [];
    const bind = (value: unknown): string => `$${parameters.push(value)}`;
    const conditions = [`t.tenant_id = ${bind(tenantId)}`, `a.customer_id = ${bind(customerId)}`];
    if (query.program_id) conditions.push(`a.program_id = ${bind(query.program_id)}::uuid`);
    if (position) {
      conditions.push(`(t.created_at, t.id) < (${bind(position[0])}::timestamptz, ${bind(position[1])}::uuid)`);
    }
    const rows = (await manager.query(
      `SELECT t.id, a.program_id, t.type, t.points, t.balance_after, t.pending, t.reason, t.activity_id, t.rule_id,
              t.reference, t.shortfall, t.actor, t.created_at, ${cursorTimestamp('t.created_at')} AS position
         FROM point_transactions t
         JOIN loyalty_accounts a ON a.tenant_id = t.tenant_id AND a.id = t.account_id
        WHERE ${conditions.join(' AND ')}
        ORDER BY t.created_at DESC, t.id DESC
        LIMIT ${bind(query.limit + 1)}`,
      parameters,
    )) as LedgerRow[];
    return pageOf(
      rows,
      query.limit,
      (row) => row,
      (row) => [row.position, row.id],
    );
  }

  /** The program named, or the default one; adjustments go only to active programs. */
  private async programFor(
    manager: EntityManager,
    tenantId: string,
    programId: string | undefined,
  ): Promise<{ id: string; expiry_policy: ExpiryPolicy }> {
    const id = programId ?? (await defaultProgramId(manager, tenantId));
    if (!id) throw new BusinessRuleError('no_default_program', 'The tenant has no default program; name one.');
    const [program] = (await manager.query(
      `SELECT id, status, expiry_policy FROM programs WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    )) as Array<{ id: string; status: string; expiry_policy: unknown }>;
    if (!program) throw new NotFoundError('Program', id);
    if (program.status !== 'active') {
      throw new BusinessRuleError('program_archived', 'Points cannot be adjusted in an archived program.');
    }
    return { id: program.id, expiry_policy: storedExpiryPolicy(program.expiry_policy) };
  }

  private async timeZoneOf(manager: EntityManager, tenantId: string): Promise<string> {
    return (await loadSettings(manager, tenantId)).loyalty.time_zone;
  }
}
