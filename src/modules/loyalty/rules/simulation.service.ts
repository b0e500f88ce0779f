import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor, tenantIdOf } from '../../../common/auth/actor';
import { FieldError, ValidationFailedError } from '../../../common/errors/domain-error';
import { TenantDatabase } from '../../../database/tenant-database.service';
import { ACTIVITY_TYPE } from '../activities/dto/record-activity.dto';
import {
  EarningContext,
  EarningCustomer,
  loadEarningContext,
  priorActivityCount,
  ruleUsage,
} from '../activities/earning-context';
import { LockedAccount } from '../ledger/ledger';
import { SimulateRulesDto, SimulatedCustomerDto } from './dto/simulate.dto';
import { validateRuleDefinition } from './rule-definition';
import { CustomerFacts, EvaluableRule, evaluateRules, RuleEvaluation, UsageByRule } from './rule-evaluator';

/** Stands in for the account of a customer who has none yet: no ledger row matches it. */
const NO_ACCOUNT = '00000000-0000-0000-0000-000000000000';
const PRIOR_COUNT_MAX = 1_000_000_000;

interface Customer {
  facts: CustomerFacts;
  /** Their account in the program, whose ledger holds their cap usage; null for a hypothetical customer. */
  accountId: string | null;
}

/**
 * POST /api/admin/rules/simulate: what an activity would earn, from the same loaders and the same
 * evaluator as POST /api/activities, so that the answer is what recording it would give (caps and
 * budgets as they stand now). It runs in a READ ONLY transaction: PostgreSQL itself refuses any
 * write, and no account is created or locked.
 */
@Injectable()
export class SimulationService {
  constructor(private readonly database: TenantDatabase) {}

  async simulate(actor: Actor, input: SimulateRulesDto): Promise<RuleEvaluation> {
    const tenantId = tenantIdOf(actor);
    const errors: FieldError[] = [];
    const drafts = input.rules === undefined ? null : this.readDrafts(input.rules, errors);
    errors.push(...this.checkCustomer(input.customer));
    if (input.activity.type === 'purchase' && input.activity.amount === undefined) {
      errors.push({ field: 'activity.amount', message: 'is required for a purchase' });
    }
    if (errors.length) throw new ValidationFailedError(errors);

    return this.database.run(tenantId, async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      const activity = input.activity;
      const occurredAt = activity.occurred_at ? new Date(activity.occurred_at) : new Date();
      const real = input.customer?.customer_id;
      const context = await loadEarningContext(manager, tenantId, real === undefined ? null : { id: real }, {
        programId: activity.program_id,
        activityType: activity.type,
        occurredAt,
        lock: false,
      });
      const { program, settings, tiers } = context;
      const rules = drafts ?? context.rules;
      const customer = await this.customerFacts(manager, tenantId, context, activity.type, input.customer);
      // Unsaved rules have given nobody anything yet; saved ones are read as the earning path reads them.
      const usage: UsageByRule = drafts
        ? {}
        : await ruleUsage(
            manager,
            { tenantId, id: customer.accountId ?? NO_ACCOUNT } as LockedAccount,
            context.rules,
            context.budgetUsed,
            new Date(),
            settings.loyalty.time_zone,
          );
      const tier = tiers.find((candidate) => candidate.id === customer.facts.tier_id);
      return evaluateRules(
        rules,
        {
          type: activity.type,
          amount: activity.amount ?? null,
          currency: activity.currency ?? settings.loyalty.currency,
          items: activity.items ?? null,
          channel: activity.channel ?? null,
          location_id: activity.location_id ?? null,
          occurred_at: occurredAt,
        },
        customer.facts,
        usage,
        {
          time_zone: settings.loyalty.time_zone,
          rounding: program.rounding,
          max_points_per_activity: program.maxPointsPerActivity,
          tier_multiplier: tier?.benefits.earn_multiplier ?? 1,
        },
      );
    });
  }

  /** Each unsaved rule checked as POST /api/admin/rules checks it, its errors under `rules[i]`. */
  private readDrafts(rules: readonly unknown[], errors: FieldError[]): EvaluableRule[] {
    return rules.flatMap((rule, index) => {
      const validation = validateRuleDefinition(rule);
      const prefix = `rules[${index}]`;
      errors.push(
        ...validation.errors.map((error) => ({
          field: error.field === 'rule' ? prefix : `${prefix}.${error.field}`,
          message: error.message,
        })),
      );
      return validation.value ? [{ ...validation.value, id: prefix }] : [];
    });
  }

  private checkCustomer(customer: SimulatedCustomerDto | undefined): FieldError[] {
    if (!customer) return [];
    const errors: FieldError[] = [];
    if (
      customer.customer_id !== undefined &&
      (customer.tier_id !== undefined || customer.segments !== undefined || customer.prior_count_by_type !== undefined)
    ) {
      errors.push({
        field: 'customer.customer_id',
        message: 'give either a customer_id (their real facts) or tier_id, segments and prior_count_by_type, not both',
      });
    }
    for (const [type, count] of Object.entries(customer.prior_count_by_type ?? {})) {
      const field = `customer.prior_count_by_type.${type}`;
      if (!ACTIVITY_TYPE.test(type)) errors.push({ field, message: 'is not a known activity type or custom:<name>' });
      else if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > PRIOR_COUNT_MAX)
        errors.push({ field, message: `must be a whole number from 0 to ${PRIOR_COUNT_MAX}` });
    }
    return errors;
  }

  /** A real customer's facts as POST /api/activities reads them, or the hypothetical customer described. */
  private async customerFacts(
    manager: EntityManager,
    tenantId: string,
    context: EarningContext<EarningCustomer | null>,
    activityType: string,
    customer: SimulatedCustomerDto | undefined,
  ): Promise<Customer> {
    if (context.customer === null) {
      const tierId = customer?.tier_id?.toLowerCase() ?? null;
      if (tierId !== null && !context.tiers.some((tier) => tier.id === tierId)) {
        throw new ValidationFailedError([{ field: 'customer.tier_id', message: 'is not a tier of the program' }]);
      }
      return {
        facts: {
          tier_id: tierId,
          segments: customer?.segments ?? [],
          prior_count_by_type: (customer?.prior_count_by_type ?? {}) as Record<string, number>,
        },
        accountId: null,
      };
    }
    const { id, segments } = context.customer;
    const prior = await priorActivityCount(manager, tenantId, id, context.program.id, activityType);
    return {
      facts: {
        tier_id: context.account?.tierId ?? null,
        segments,
        prior_count_by_type: { [activityType]: prior },
      },
      accountId: context.account?.id ?? null,
    };
  }
}
