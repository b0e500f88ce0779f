import { EntityManager } from 'typeorm';
import { BusinessRuleError, NotFoundError } from '../../../common/errors/domain-error';
import { resolveSettings, TenantSettings } from '../../tenants/tenant-settings';
import { localMidnight, ExpiryPolicy } from '../ledger/expiry-policy';
import { ACCOUNT_COLUMNS, AccountRow, LockedAccount, toLocked } from '../ledger/ledger';
import { localMoment } from '../rules/local-time';
import { RuleCaps, RuleConditions, RuleEffect, RuleType, Stacking } from '../rules/rule-definition';
import { EvaluableRule, Rounding, UsageByRule } from '../rules/rule-evaluator';
import { DowngradePolicy, TierDefinition } from '../tiers/tier-evaluation';
import { TIER_COLUMNS, TierRow, toTierDefinition } from '../tiers/tier-standing';
import { queryPrepared } from '../../../database/prepared';

/** What the earning path reads besides the rules: the program's policies and the tenant's settings. */
export interface ProgramPolicies {
  id: string;
  pointName: string;
  rounding: Rounding;
  maxPointsPerActivity: number;
  expiry: ExpiryPolicy;
  pendingDays: number;
  downgradePolicy: DowngradePolicy;
}

interface ProgramRow {
  id: string;
  status: string;
  point_name: string;
  earn_policy: { rounding?: Rounding; max_points_per_activity?: number };
  expiry_policy: ExpiryPolicy;
  pending_days: number;
  tier_downgrade_policy: DowngradePolicy;
}

const PROGRAM_COLUMNS = `id, status, point_name, earn_policy, expiry_policy, pending_days, tier_downgrade_policy`;

/** The program named, or the tenant's default; 404 when unknown, 422 when archived. */
export async function loadProgram(
  manager: EntityManager,
  tenantId: string,
  programId?: string,
): Promise<ProgramPolicies> {
  const [row] = (await manager.query(
    `SELECT ${PROGRAM_COLUMNS} FROM programs WHERE tenant_id = $1 AND ${programId ? 'id = $2' : 'is_default'}
      ORDER BY created_at LIMIT 1`,
    programId ? [tenantId, programId] : [tenantId],
  )) as ProgramRow[];
  return toProgramPolicies(row, programId);
}

function toProgramPolicies(row: ProgramRow | undefined | null, programId?: string): ProgramPolicies {
  if (!row) throw new NotFoundError('Program', programId);
  if (row.status !== 'active')
    throw new BusinessRuleError('program_inactive', 'The program is archived and earns no points.');
  return {
    id: row.id,
    pointName: row.point_name,
    rounding: row.earn_policy?.rounding ?? 'floor',
    maxPointsPerActivity: row.earn_policy?.max_points_per_activity ?? 0,
    expiry: row.expiry_policy?.type ? row.expiry_policy : { type: 'never' },
    pendingDays: row.pending_days,
    downgradePolicy: row.tier_downgrade_policy,
  };
}

export async function loadSettings(manager: EntityManager, tenantId: string): Promise<TenantSettings> {
  const [row] = (await manager.query(`SELECT settings FROM tenants WHERE id = $1`, [tenantId])) as Array<{
    settings: unknown;
  }>;
  return resolveSettings(row?.settings);
}

interface RuleRow {
  id: string;
  name: string;
  program_id: string;
  rule_type: RuleType;
  custom_type: string | null;
  priority: number;
  stacking: Stacking;
  conditions: RuleConditions;
  effect: RuleEffect;
  caps: Partial<RuleCaps> | null;
  start_date: string | null;
  end_date: string | null;
  active: boolean;
  points_awarded: string | number;
}

export const RULE_COLUMNS = `id, name, program_id, rule_type, custom_type, priority, stacking, conditions, effect, caps,
  to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date, active, points_awarded`;

/** Stored caps completed with zeros ("none"), whatever subset an older row holds. */
function completeCaps(caps: Partial<RuleCaps> | null): RuleCaps {
  const perCustomer: Partial<RuleCaps['per_customer']> = caps?.per_customer ?? {};
  return {
    per_customer: {
      day: perCustomer.day ?? 0,
      week: perCustomer.week ?? 0,
      month: perCustomer.month ?? 0,
      lifetime: perCustomer.lifetime ?? 0,
    },
    budget_points: caps?.budget_points ?? 0,
  };
}

export function toEvaluableRule(row: RuleRow): EvaluableRule {
  return {
    id: row.id,
    name: row.name,
    program_id: row.program_id,
    rule_type: row.rule_type,
    custom_type: row.custom_type,
    priority: row.priority,
    stacking: row.stacking,
    conditions: row.conditions ?? {},
    effect: row.effect,
    caps: completeCaps(row.caps),
    start_date: row.start_date,
    end_date: row.end_date,
    active: row.active,
  };
}

/** The customer's activities of this type in the program before the one being evaluated (first_activity_only, every_nth). */
export async function priorActivityCount(
  manager: EntityManager,
  tenantId: string,
  customerId: string,
  programId: string,
  activityType: string,
): Promise<number> {
  const [{ prior }] = (await manager.query(
    `SELECT count(*)::int AS prior FROM activities WHERE tenant_id = $1 AND customer_id = $2 AND program_id = $3 AND type = $4`,
    [tenantId, customerId, programId, activityType],
  )) as Array<{ prior: number }>;
  return prior;
}

/** Starts of the current day, ISO week and month on the tenant's wall clock. */
export function periodStarts(now: Date, timeZone: string): { day: Date; week: Date; month: Date } {
  const local = localMoment(now, timeZone);
  const [year, month, day] = local.date.split('-').map(Number);
  return {
    day: localMidnight(year, month - 1, day, timeZone),
    week: localMidnight(year, month - 1, day - (local.isoWeekday - 1), timeZone),
    month: localMidnight(year, month - 1, 1, timeZone),
  };
}

/** Points each rule has already given this account in the current periods (caps) plus overall (budgets). */
export async function ruleUsage(
  manager: EntityManager,
  account: LockedAccount,
  rules: readonly EvaluableRule[],
  budgetUsed: ReadonlyMap<string, number>,
  now: Date,
  timeZone: string,
): Promise<UsageByRule> {
  const capped = rules.filter((rule) => {
    const caps = rule.caps.per_customer;
    return caps && (caps.day || caps.week || caps.month || caps.lifetime);
  });
  const usage: Record<string, { day: number; week: number; month: number; lifetime: number; budget_used: number }> = {};
  for (const rule of rules)
    usage[rule.id] = { day: 0, week: 0, month: 0, lifetime: 0, budget_used: budgetUsed.get(rule.id) ?? 0 };
  if (capped.length === 0) return usage;
  const starts = periodStarts(now, timeZone);
  const rows = (await manager.query(
    `SELECT rule_id,
            COALESCE(sum(points) FILTER (WHERE created_at >= $4), 0)::bigint AS day,
            COALESCE(sum(points) FILTER (WHERE created_at >= $5), 0)::bigint AS week,
            COALESCE(sum(points) FILTER (WHERE created_at >= $6), 0)::bigint AS month,
            COALESCE(sum(points), 0)::bigint AS lifetime
       FROM point_transactions
      WHERE tenant_id = $1 AND account_id = $2 AND rule_id = ANY($3::uuid[]) AND type = 'earn'
      GROUP BY rule_id`,
    [account.tenantId, account.id, capped.map((rule) => rule.id), starts.day, starts.week, starts.month],
  )) as Array<{ rule_id: string; day: string; week: string; month: string; lifetime: string }>;
  for (const row of rows) {
    Object.assign(usage[row.rule_id], {
      day: Number(row.day),
      week: Number(row.week),
      month: Number(row.month),
      lifetime: Number(row.lifetime),
    });
  }
  return usage;
}

/** Who the activity is for: our id, or the tenant's own id for the customer. */
export type CustomerKey = { id: string } | { externalId: string };

export interface EarningCustomer {
  id: string;
  segments: string[];
}

/**
 * A value read for an activity listener in the earning context's one statement: `sql` is a
 * scalar subquery that may use $1 (tenant), $5 (the activity's occurred_at) and the CTEs
 * `customer` (id, segments, leaderboard_opt_out) and `program` (id).
 */
export interface ContextRead {
  name: string;
  sql: string;
}

/** Everything earning reads before it writes, from one statement (see loadEarningContext). */
export interface EarningContext<Who extends EarningCustomer | null = EarningCustomer> {
  /** Null only when asked for no customer (a simulation for a hypothetical one). */
  customer: Who;
  program: ProgramPolicies;
  settings: TenantSettings;
  tiers: TierDefinition[];
  /** The program's active rules of the activity's rule type. */
  rules: EvaluableRule[];
  /** What each of those rules has awarded in total (budgets). */
  budgetUsed: Map<string, number>;
  /** The customer's account in the program, locked when asked; null when it does not exist yet. */
  account: LockedAccount | null;
  /** The listeners' reads, by name. */
  reads: Record<string, unknown>;
}

interface ContextRow {
  customer: (EarningCustomer & { leaderboard_opt_out: boolean }) | null;
  program: ProgramRow | null;
  account: AccountRow | null;
  settings: unknown;
  tiers: TierRow[];
  rules: RuleRow[];
  [read: string]: unknown;
}

/**
 * The earning path's reads in one round trip: the customer (404 unless active), the program
 * (named or the default; 404, or 422 when archived), the account — locked FOR UPDATE when `lock`,
 * so activities of one customer apply one after another — the tenant's settings, the program's
 * tiers, its active rules of this type with their budget use, and whatever the activity listeners
 * ask for. Reads that must see what the previous holder of the account lock committed (prior
 * activity counts, cap usage) come after this statement, never inside it: a statement's snapshot
 * is taken before it waits for the lock.
 */
export async function loadEarningContext(
  manager: EntityManager,
  tenantId: string,
  who: CustomerKey,
  options: { programId?: string; activityType: string; occurredAt: Date; lock: boolean; reads?: ContextRead[] },
): Promise<EarningContext>;
/** With no customer (null), or one that may be absent: then also the program, settings, tiers and rules. */
export async function loadEarningContext(
  manager: EntityManager,
  tenantId: string,
  who: CustomerKey | null,
  options: { programId?: string; activityType: string; occurredAt: Date; lock: false },
): Promise<EarningContext<EarningCustomer | null>>;
export async function loadEarningContext(
  manager: EntityManager,
  tenantId: string,
  who: CustomerKey | null,
  options: { programId?: string; activityType: string; occurredAt: Date; lock: boolean; reads?: ContextRead[] },
): Promise<EarningContext<EarningCustomer | null>> {
  const reads = options.reads ?? [];
  const ruleType = options.activityType.startsWith('custom:') ? 'custom' : options.activityType;
  const [row] = await queryPrepared<ContextRow>(
    manager,
    `WITH customer AS (
       SELECT id, segments, leaderboard_opt_out FROM customers
        WHERE tenant_id = $1 AND status = 'active' AND ${customerCondition(who)}
     ), program AS (
       SELECT ${PROGRAM_COLUMNS} FROM programs
        WHERE tenant_id = $1 AND ${options.programId ? 'id = $3::uuid' : '$3::uuid IS NULL AND is_default'}
        ORDER BY created_at LIMIT 1
     ), account AS MATERIALIZED (
       SELECT ${ACCOUNT_COLUMNS} FROM loyalty_accounts
        WHERE tenant_id = $1 AND customer_id = (SELECT id FROM customer) AND program_id = (SELECT id FROM program)
          AND (SELECT status FROM program) = 'active'
        ${options.lock ? 'FOR UPDATE' : ''}
     )
     SELECT (SELECT row_to_json(customer) FROM customer) AS customer,
            (SELECT row_to_json(program) FROM program) AS program,
            (SELECT row_to_json(account) FROM account) AS account,
            (SELECT settings FROM tenants WHERE id = $1) AS settings,
            (SELECT coalesce(json_agg(t ORDER BY t.rank), '[]') FROM (
               SELECT ${TIER_COLUMNS} FROM tiers WHERE tenant_id = $1 AND program_id = (SELECT id FROM program)) t) AS tiers,
            (SELECT coalesce(json_agg(r ORDER BY r.id), '[]') FROM (
               SELECT ${RULE_COLUMNS} FROM rules
                WHERE tenant_id = $1 AND program_id = (SELECT id FROM program) AND active AND rule_type = $4) r) AS rules,
            $5::timestamptz AS occurred_at
            ${reads.map((read) => `, (${read.sql}) AS "read_${read.name}"`).join('')}`,
    [
      tenantId,
      who === null ? null : 'id' in who ? who.id : who.externalId,
      options.programId ?? null,
      ruleType,
      options.occurredAt,
    ],
  );
  if (who !== null && !row.customer) throw new NotFoundError('Customer', 'id' in who ? who.id : who.externalId);
  const program = toProgramPolicies(row.program, options.programId);
  return {
    customer: row.customer ? { id: row.customer.id, segments: row.customer.segments } : null,
    program,
    settings: resolveSettings(row.settings),
    tiers: row.tiers.map(toTierDefinition),
    rules: row.rules.map(toEvaluableRule),
    budgetUsed: new Map(row.rules.map((rule) => [rule.id, Number(rule.points_awarded)])),
    account: row.account ? toLocked(tenantId, row.account) : null,
    reads: Object.fromEntries(reads.map((read) => [read.name, row[`read_${read.name}`]])),
  };
}

function customerCondition(who: CustomerKey | null): string {
  if (who === null) return '$2::text IS NOT NULL';
  return 'id' in who ? 'id = $2::uuid' : 'external_id = $2';
}

/** Whether any of these rules looks at how many activities of the type came before (first only, every nth). */
export const needsPriorCount = (rules: readonly EvaluableRule[]): boolean =>
  rules.some((rule) => rule.conditions.first_activity_only || (rule.conditions.every_nth ?? 0) > 0);
