import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor, actorKey, tenantIdOf } from '../../../common/auth/actor';
import { BusinessRuleError, NotFoundError, ValidationFailedError } from '../../../common/errors/domain-error';
import { IdempotencyService, IdempotentRequest } from '../../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../../common/idempotency/idempotent-outcome';
import { appendToOutbox, DomainEvent } from '../../../common/outbox/outbox';
import { TenantDatabase } from '../../../database/tenant-database.service';
import { expiryFor } from '../ledger/expiry-policy';
import { credit, debit, LockedAccount, openAccount } from '../ledger/ledger';
import { evaluateRules, refundReversal, RuleEvaluation } from '../rules/rule-evaluator';
import { upgradeIfEarned } from '../tiers/tier-standing';
import { ActivityListeners, RefundReversal } from './activity-listener';
import { ActivityResultDto, RecordActivityDto } from './dto/record-activity.dto';
import {
  CustomerKey,
  EarningContext,
  loadEarningContext,
  needsPriorCount,
  priorActivityCount,
  ProgramPolicies,
  ruleUsage,
} from './earning-context';
import { queryPrepared } from '../../../database/prepared';
import { Statement, together } from '../../../database/statements';

/** What a caller of `recordWithin` may add to the activity's own writes. */
export interface RecordOptions {
  /**
   * The caller's own row about this activity (e.g. the check-in that earned it), written in the
   * statement that writes the activity and its points: one round trip fewer. Not for refunds,
   * which write through their own path.
   */
  alongside?: (recorded: { activityId: string; points: number }) => Statement;
}

const DAY_MS = 86_400_000;
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const MAX_ATTRIBUTES_BYTES = 8 * 1024;

interface PurchaseRow {
  id: string;
  customer_id: string;
  program_id: string;
  amount: string | null;
  refunded_amount: string;
}

/**
 * Records what customers do and pays out the points: one transaction writes the activity, a
 * ledger row and a lot per rule applied, the account's balance and totals, a tier upgrade and the
 * outbox events. The account row is locked first, so two activities of one customer are applied
 * one after the other (caps and "every Nth" stay exact) while different customers run in parallel.
 */
@Injectable()
export class ActivitiesService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly listeners: ActivityListeners,
  ) {}

  record(
    request: IdempotentRequest,
    input: RecordActivityDto,
    dryRun: boolean,
  ): Promise<IdempotentOutcome<ActivityResultDto>> {
    const occurredAt = this.checkInput(input);
    if (dryRun) {
      return this.database
        .run(tenantIdOf(request.actor), (manager) => this.evaluateOnly(manager, request.actor, input, occurredAt))
        .then((result) => new IdempotentOutcome(200, result, false));
    }
    return this.idempotency.execute(request, 201, (manager) => this.apply(manager, request.actor, input, occurredAt));
  }

  private checkInput(input: RecordActivityDto): Date {
    const errors: Array<{ field: string; message: string }> = [];
    if (!input.customer_id === !input.external_customer_id) {
      errors.push({ field: 'customer_id', message: 'give exactly one of customer_id and external_customer_id' });
    }
    if (
      (input.type === 'purchase' || input.type === 'refund') &&
      input.amount === undefined &&
      input.type === 'purchase'
    ) {
      errors.push({ field: 'amount', message: 'is required for a purchase' });
    }
    if (input.type !== 'refund' && input.refund_of)
      errors.push({ field: 'refund_of', message: 'only a refund refunds' });
    if (input.type === 'refund' && !input.refund_of && !input.reference) {
      errors.push({ field: 'refund_of', message: 'a refund names its purchase by refund_of or reference' });
    }
    if (input.attributes && Buffer.byteLength(JSON.stringify(input.attributes)) > MAX_ATTRIBUTES_BYTES) {
      errors.push({ field: 'attributes', message: 'must be at most 8 KB of JSON' });
    }
    const occurredAt = input.occurred_at ? new Date(input.occurred_at) : new Date();
    if (occurredAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) {
      errors.push({ field: 'occurred_at', message: 'is in the future' });
    }
    if (errors.length) throw new ValidationFailedError(errors);
    return occurredAt;
  }

  private async evaluate(
    manager: EntityManager,
    context: EarningContext,
    account: Pick<LockedAccount, 'tenantId' | 'id' | 'tierId'>,
    input: RecordActivityDto,
    occurredAt: Date,
  ): Promise<RuleEvaluation> {
    const { customer, program, settings, tiers, rules, budgetUsed } = context;
    if (rules.length === 0) return { points: 0, applied: [], skipped: [] };
    const tier = tiers.find((candidate) => candidate.id === account.tierId);
    const prior = needsPriorCount(rules)
      ? await priorActivityCount(manager, account.tenantId, customer.id, program.id, input.type)
      : 0;
    const usage = await ruleUsage(
      manager,
      account as LockedAccount,
      rules,
      budgetUsed,
      new Date(),
      settings.loyalty.time_zone,
    );
    return evaluateRules(
      rules,
      {
        type: input.type,
        amount: input.amount ?? null,
        currency: input.currency ?? settings.loyalty.currency,
        items: input.items ?? null,
        channel: input.channel ?? null,
        location_id: input.location_id ?? null,
        occurred_at: occurredAt,
      },
      { tier_id: account.tierId, segments: customer.segments, prior_count_by_type: { [input.type]: prior } },
      usage,
      {
        time_zone: settings.loyalty.time_zone,
        rounding: program.rounding,
        max_points_per_activity: program.maxPointsPerActivity,
        tier_multiplier: tier?.benefits.earn_multiplier ?? 1,
      },
    );
  }

  private async evaluateOnly(
    manager: EntityManager,
    actor: Actor,
    input: RecordActivityDto,
    occurredAt: Date,
  ): Promise<ActivityResultDto> {
    const tenantId = tenantIdOf(actor);
    const context = await loadEarningContext(manager, tenantId, customerKeyOf(input), {
      programId: input.program_id,
      activityType: input.type,
      occurredAt,
      lock: false,
    });
    const account = {
      tenantId,
      id: context.account?.id ?? '00000000-0000-0000-0000-000000000000',
      tierId: context.account?.tierId ?? null,
    };
    const evaluation =
      input.type === 'refund'
        ? { points: 0, applied: [], skipped: [] }
        : await this.evaluate(manager, context, account, input, occurredAt);
    const tier = context.tiers.find((candidate) => candidate.id === account.tierId);
    return {
      activity_id: null,
      points_awarded: evaluation.points,
      rules_applied: evaluation.applied.map(({ rule_id, name, points }) => ({ rule_id, name, points })),
      balance: context.account?.balance ?? 0,
      pending_balance: context.account?.pendingBalance ?? 0,
      tier: tier ? { id: tier.id, name: tier.name } : null,
      dry_run: true,
    };
  }

  /**
   * Records an activity inside the caller's transaction (a verified check-in, an event
   * attendance, a completed challenge): it earns exactly when the caller's change commits.
   * `input` is trusted to have passed RecordActivityDto validation or to be built by our code.
   */
  recordWithin(
    manager: EntityManager,
    actor: Actor,
    input: RecordActivityDto,
    occurredAt = new Date(),
    options: RecordOptions = {},
  ): Promise<ActivityResultDto> {
    return this.apply(manager, actor, input, occurredAt, options);
  }

  private async apply(
    manager: EntityManager,
    actor: Actor,
    input: RecordActivityDto,
    occurredAt: Date,
    options: RecordOptions = {},
  ): Promise<ActivityResultDto> {
    const tenantId = tenantIdOf(actor);
    const now = new Date();
    const context = await loadEarningContext(manager, tenantId, customerKeyOf(input), {
      programId: input.program_id,
      activityType: input.type,
      occurredAt,
      lock: true,
      reads: this.listeners.reads(),
    });
    const { customer, program, settings, tiers } = context;
    const account = context.account ?? (await openAccount(manager, tenantId, customer.id, program.id));
    const events: DomainEvent[] = [];

    if (input.type === 'refund') {
      return this.applyRefund(manager, actor, account, context, input, occurredAt, events);
    }

    const evaluation = await this.evaluate(manager, context, account, input, occurredAt);
    const applied = await this.spendBudgets(manager, tenantId, context, evaluation);
    const points = applied.reduce((sum, rule) => sum + rule.points, 0);

    const activityId = randomUUID();
    const activity = {
      sql: `INSERT INTO activities (tenant_id, id, customer_id, program_id, type, amount, currency, items, channel,
                                    location_id, occurred_at, reference, attributes, points_awarded, source)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      values: [
        tenantId,
        activityId,
        customer.id,
        program.id,
        input.type,
        input.amount ?? null,
        input.amount !== undefined ? (input.currency ?? settings.loyalty.currency) : (input.currency ?? null),
        JSON.stringify(input.items ?? []),
        input.channel ?? null,
        input.location_id ?? null,
        occurredAt,
        input.reference ?? null,
        JSON.stringify(input.attributes ?? {}),
        points,
        actorKey(actor),
      ],
    };

    const writes: Statement[] = [activity];
    const caller = options.alongside?.({ activityId, points });
    if (caller) writes.push(caller);
    const earning = applied.filter((rule) => rule.points > 0);
    if (earning.length > 0) {
      // The activity, the points it earned and the caller's write, in one statement.
      await credit(
        manager,
        account,
        earning.map((rule) => ({
          type: 'earn',
          points: rule.points,
          ruleId: rule.rule_id,
          activityId,
          actor: actorKey(actor),
        })),
        { ...this.creditOptionsAt(now, program, settings.loyalty.time_zone), alongside: writes },
      );
    } else {
      const write = together(writes);
      await queryPrepared(manager, write.sql, write.values);
    }
    const tierChange = points > 0 ? await upgradeIfEarned(manager, account, tiers, now) : null;

    events.push({
      type: 'activity.recorded',
      aggregateType: 'customer',
      aggregateId: customer.id,
      payload: {
        activity_id: activityId,
        customer_id: customer.id,
        type: input.type,
        amount: input.amount ?? null,
        reference: input.reference ?? null,
        occurred_at: occurredAt.toISOString(),
      },
    });
    if (points > 0) {
      events.push({
        type: 'points.earned',
        aggregateType: 'customer',
        aggregateId: customer.id,
        payload: {
          customer_id: customer.id,
          program_id: program.id,
          activity_id: activityId,
          points,
          balance: account.balance,
          pending_balance: account.pendingBalance,
          rules: earning,
        },
      });
    }
    if (tierChange) events.push(tierChange);
    events.push(
      ...(await this.listeners.notify(manager, {
        tenantId,
        customerId: customer.id,
        programId: program.id,
        activityId,
        type: input.type,
        locationId: input.location_id ?? null,
        occurredAt,
        points,
        account,
        tierChangedTo: tierChange ? account.tierId : null,
        earnedAt: now,
        timeZone: settings.loyalty.time_zone,
        reads: context.reads,
      })),
    );
    await appendToOutbox(manager, tenantId, events);

    const tier = tiers.find((candidate) => candidate.id === account.tierId);
    return {
      activity_id: activityId,
      points_awarded: points,
      rules_applied: applied.map(({ rule_id, name, points: rulePoints }) => ({ rule_id, name, points: rulePoints })),
      balance: account.balance,
      pending_balance: account.pendingBalance,
      tier: tier ? { id: tier.id, name: tier.name } : null,
      dry_run: false,
    };
  }

  /** Lots of points earned now: held for the program's pending period, expiring per its policy. */
  private creditOptionsAt(now: Date, program: ProgramPolicies, timeZone: string) {
    return {
      now,
      availableAt: program.pendingDays > 0 ? new Date(now.getTime() + program.pendingDays * DAY_MS) : null,
      expiresAt: expiryFor(program.expiry, now, timeZone),
    };
  }

  /**
   * Budgets are shared by every customer, so the evaluator's snapshot may be stale: each budgeted
   * rule's grant is settled by one atomic update that never passes the budget, and the rule gets
   * what was left.
   */
  private async spendBudgets(
    manager: EntityManager,
    tenantId: string,
    context: EarningContext,
    evaluation: RuleEvaluation,
  ) {
    const applied = [];
    for (const rule of evaluation.applied) {
      const budget = context.rules.find((candidate) => candidate.id === rule.rule_id)?.caps.budget_points ?? 0;
      if (budget === 0 || rule.points === 0) {
        applied.push(rule);
        continue;
      }
      const [[granted]] = (await manager.query(
        `UPDATE rules r SET points_awarded = LEAST(r.points_awarded + $3, $4)
           FROM (SELECT id, points_awarded AS before FROM rules WHERE tenant_id = $1 AND id = $2 FOR UPDATE) b
          WHERE r.tenant_id = $1 AND r.id = b.id
          RETURNING (r.points_awarded - b.before)::bigint AS points`,
        [tenantId, rule.rule_id, rule.points, budget],
      )) as [[{ points: string }], number];
      const points = Number(granted.points);
      applied.push(points < rule.points ? { ...rule, points, capped: 'budget' as const } : rule);
    }
    return applied;
  }

  /**
   * Reverses the refunded share of a purchase's points, rule by rule, from the points the purchase
   * actually earned (so a rule changed since makes no difference). The balance may reach zero but
   * never go below: what was already spent is recorded as the shortfall. Listeners hear of it
   * through `notifyRefund`, with each rule's reversal and when the purchase earned it (the
   * leaderboards take it off the week and month the purchase counted in), never as an activity.
   * Points the tenant's refund rules give are earned like any: they may lift the tier, and
   * listeners hear of them in `gained`.
   */
  private async applyRefund(
    manager: EntityManager,
    actor: Actor,
    account: LockedAccount,
    context: EarningContext,
    input: RecordActivityDto,
    occurredAt: Date,
    events: DomainEvent[],
  ): Promise<ActivityResultDto> {
    const tenantId = account.tenantId;
    const { program } = context;
    const [purchase] = (await manager.query(
      `SELECT id, customer_id, program_id, amount, refunded_amount FROM activities
        WHERE tenant_id = $1 AND type = 'purchase' AND customer_id = $2 AND ${input.refund_of ? 'id = $3::uuid' : 'reference = $3'}
        ORDER BY occurred_at DESC LIMIT 1 FOR UPDATE`,
      [tenantId, account.customerId, input.refund_of ?? input.reference],
    )) as PurchaseRow[];
    if (!purchase || purchase.program_id !== program.id) {
      throw new NotFoundError('Purchase', input.refund_of ?? input.reference);
    }
    const original = Number(purchase.amount ?? 0);
    const refundedSoFar = Number(purchase.refunded_amount);
    const refundable = original - refundedSoFar;
    const amount = input.amount ?? refundable;
    if (amount <= 0 || amount > refundable) {
      throw new BusinessRuleError(
        'refund_exceeds_purchase',
        `At most ${refundable} of this purchase can still be refunded.`,
        {
          refundable,
        },
      );
    }
    const earnedByRule = (await manager.query(
      `SELECT rule_id, sum(points)::bigint AS points, max(created_at) AS earned_at FROM point_transactions
        WHERE tenant_id = $1 AND activity_id = $2 AND type = 'earn' AND rule_id IS NOT NULL
        GROUP BY rule_id ORDER BY rule_id`,
      [tenantId, purchase.id],
    )) as Array<{ rule_id: string; points: string; earned_at: Date }>;
    const reversals =
      original > 0
        ? refundReversal(
            earnedByRule.map((row) => ({ rule_id: row.rule_id, points: Number(row.points) })),
            original,
            refundedSoFar,
            amount,
          )
        : [];

    const [{ id: activityId }] = (await manager.query(
      `INSERT INTO activities (tenant_id, customer_id, program_id, type, amount, currency, occurred_at, reference, refund_of,
                               attributes, source)
       VALUES ($1, $2, $3, 'refund', $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        tenantId,
        account.customerId,
        program.id,
        amount,
        input.currency ?? null,
        occurredAt,
        input.reference ?? null,
        purchase.id,
        JSON.stringify(input.attributes ?? {}),
        actorKey(actor),
      ],
    )) as Array<{ id: string }>;
    await manager.query(
      `UPDATE activities SET refunded_amount = refunded_amount + $3 WHERE tenant_id = $1 AND id = $2`,
      [tenantId, purchase.id, amount],
    );

    let reversed = 0;
    let shortfall = 0;
    const reversedByRule: RefundReversal[] = [];
    for (const reversal of reversals.filter((entry) => entry.points > 0)) {
      const result = await debit(manager, account, {
        type: 'reverse',
        points: reversal.points,
        allowShortfall: true,
        includePending: true,
        activityId,
        ruleId: reversal.rule_id,
        reference: purchase.id,
        reason: 'refund',
        actor: actorKey(actor),
      });
      reversed += result.taken;
      shortfall += result.shortfall;
      reversedByRule.push({
        taken: result.taken,
        shortfall: result.shortfall,
        earnedAt: earnedByRule.find((row) => row.rule_id === reversal.rule_id)!.earned_at,
      });
    }
    // Refund rules (a goodwill gesture) may still give points; the evaluator only ever adds.
    const goodwill = (
      await this.spendBudgets(
        manager,
        tenantId,
        context,
        await this.evaluate(manager, context, account, input, occurredAt),
      )
    ).filter((rule) => rule.points > 0);
    const gained = goodwill.reduce((sum, rule) => sum + rule.points, 0);
    const now = new Date();
    if (gained > 0) {
      await credit(
        manager,
        account,
        goodwill.map((rule) => ({
          type: 'earn',
          points: rule.points,
          ruleId: rule.rule_id,
          activityId,
          actor: actorKey(actor),
        })),
        this.creditOptionsAt(now, program, context.settings.loyalty.time_zone),
      );
    }
    // Only what the refund's rules gave can lift the tier: the reversal only ever lowers the standing.
    const tierChange = gained > 0 ? await upgradeIfEarned(manager, account, context.tiers, now) : null;
    await manager.query(`UPDATE activities SET points_awarded = $3 WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      activityId,
      gained - reversed,
    ]);

    events.push({
      type: 'activity.recorded',
      aggregateType: 'customer',
      aggregateId: account.customerId,
      payload: {
        activity_id: activityId,
        customer_id: account.customerId,
        type: 'refund',
        amount,
        refund_of: purchase.id,
        occurred_at: occurredAt.toISOString(),
      },
    });
    if (reversed > 0 || shortfall > 0) {
      events.push({
        type: 'points.reversed',
        aggregateType: 'customer',
        aggregateId: account.customerId,
        payload: {
          customer_id: account.customerId,
          activity_id: activityId,
          purchase_id: purchase.id,
          points: reversed,
          shortfall,
          balance: account.balance,
        },
      });
    }
    if (tierChange) events.push(tierChange);
    events.push(
      ...(await this.listeners.notifyRefund(manager, {
        tenantId,
        customerId: account.customerId,
        activityId,
        account,
        reversals: reversedByRule,
        gained,
        earnedAt: now,
        timeZone: context.settings.loyalty.time_zone,
        reads: context.reads,
      })),
    );
    await appendToOutbox(manager, tenantId, events);
    const tier = context.tiers.find((candidate) => candidate.id === account.tierId);
    return {
      activity_id: activityId,
      points_awarded: gained - reversed,
      rules_applied: [
        ...reversals.map((entry) => ({ rule_id: entry.rule_id, name: 'refund', points: -entry.points })),
        ...goodwill.map(({ rule_id, name, points }) => ({ rule_id, name, points })),
      ],
      balance: account.balance,
      pending_balance: account.pendingBalance,
      tier: tier ? { id: tier.id, name: tier.name } : null,
      shortfall,
      dry_run: false,
    };
  }
}

const customerKeyOf = (input: RecordActivityDto): CustomerKey =>
  input.customer_id ? { id: input.customer_id } : { externalId: input.external_customer_id! };
