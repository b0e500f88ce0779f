import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Allow, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { PageQueryDto } from '../../../../common/pagination/pagination';
import { EFFECT_TYPES, RULE_LIMITS, RULE_TYPES, RuleType, STACKING_MODES } from '../rule-definition';

/*
 * The request classes here document the Rule shape of API.md and only whitelist its top-level
 * fields (@Allow): the rule itself is checked, field by field with its path, by
 * validateRuleDefinition / validateRulePatch (rule-definition.ts), the one place that knows it.
 */

export class TimeWindowDto {
  @ApiProperty({ example: '07:00', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' })
  from!: string;

  @ApiProperty({ example: '11:00', description: 'Exclusive; before `from` wraps past midnight.' })
  to!: string;
}

export class RuleConditionsDto {
  @ApiPropertyOptional({ minimum: 0, description: 'Whole-basket amount at least this, in minor units.' })
  min_amount?: number;

  @ApiPropertyOptional({ minimum: 0, description: 'Whole-basket amount at most this, in minor units.' })
  max_amount?: number;

  @ApiPropertyOptional({ example: 'GBP', description: 'ISO 4217; the activity must be in this currency.' })
  currency?: string;

  @ApiPropertyOptional({
    type: [Number],
    example: [1, 2, 3, 4, 5],
    description: 'ISO weekdays of the local date, Monday = 1.',
  })
  days_of_week?: number[];

  @ApiPropertyOptional({ type: TimeWindowDto, description: 'Local wall-clock time in the tenant’s time zone.' })
  time_window?: TimeWindowDto;

  @ApiPropertyOptional({ type: [String], description: 'The activity happened at one of these locations.' })
  location_ids?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'The customer’s tier is one of these (tiers of the rule’s program).',
  })
  tier_ids?: string[];

  @ApiPropertyOptional({ type: [String], description: 'The customer is in at least one of these segments.' })
  segments?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['coffee'],
    description: 'At least one item of these categories; points per unit then earn on those items only.',
  })
  categories?: string[];

  @ApiPropertyOptional({ type: [String], description: 'As categories, by SKU.' })
  skus?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Sales channels (`channel` with one string is accepted too).' })
  channels?: string[];

  @ApiPropertyOptional({ description: 'Only the customer’s first activity of this type.' })
  first_activity_only?: boolean;

  @ApiPropertyOptional({ minimum: 0, description: 'Only every n-th activity of this type; 0 = every one.' })
  every_nth?: number;
}

export class RuleEffectDto {
  @ApiProperty({
    enum: EFFECT_TYPES,
    description:
      '`fixed` {points}; `points_per_unit` {points, per}: points for every `per` minor units; `multiplier` ' +
      '{factor}: adds (factor − 1) × the fixed and points-per-unit points that fired; `bonus` {points}: never multiplied.',
  })
  type!: string;

  @ApiPropertyOptional({ minimum: RULE_LIMITS.pointsMin, maximum: RULE_LIMITS.pointsMax })
  points?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: RULE_LIMITS.perMax, example: 100 })
  per?: number;

  @ApiPropertyOptional({ maximum: RULE_LIMITS.factorMax, example: 2, description: 'Above 1, at most 4 decimals.' })
  factor?: number;
}

export class PerCustomerCapsDto {
  @ApiProperty({ minimum: 0, description: 'Points per customer per local day; 0 = none.' })
  day!: number;

  @ApiProperty({ minimum: 0, description: 'Per ISO week.' })
  week!: number;

  @ApiProperty({ minimum: 0, description: 'Per calendar month.' })
  month!: number;

  @ApiProperty({ minimum: 0, description: 'Ever.' })
  lifetime!: number;
}

export class RuleCapsDto {
  @ApiProperty({ type: PerCustomerCapsDto })
  per_customer!: PerCustomerCapsDto;

  @ApiProperty({ minimum: 0, description: 'Points the rule may award across all customers, ever; 0 = no budget.' })
  budget_points!: number;
}

const DESCRIPTIONS = {
  program_id: 'The program the rule earns in; the tenant’s default program when left out. Cannot be changed later.',
  rule_type: '`custom` rules match activities `custom:<custom_type>` (any `custom:*` without a custom_type).',
  priority: 'Higher runs first; rules of the same priority are peers.',
  stacking: '`exclusive`: when it fires, no rule of a lower priority fires.',
  dates: 'Inclusive local date YYYY-MM-DD in the tenant’s time zone; null = open.',
} as const;

export class CreateRuleDto {
  @ApiProperty({ maxLength: RULE_LIMITS.nameMaxLength, example: '1 point per £1' })
  @Allow()
  name!: unknown;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: DESCRIPTIONS.program_id })
  @Allow()
  program_id?: unknown;

  @ApiProperty({ enum: RULE_TYPES, description: DESCRIPTIONS.rule_type })
  @Allow()
  rule_type!: unknown;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: RULE_LIMITS.customTypeMaxLength })
  @Allow()
  custom_type?: unknown;

  @ApiPropertyOptional({
    default: 0,
    minimum: RULE_LIMITS.priorityMin,
    maximum: RULE_LIMITS.priorityMax,
    description: DESCRIPTIONS.priority,
  })
  @Allow()
  priority?: unknown;

  @ApiPropertyOptional({ enum: STACKING_MODES, default: 'stackable', description: DESCRIPTIONS.stacking })
  @Allow()
  stacking?: unknown;

  @ApiPropertyOptional({ type: RuleConditionsDto, description: 'Every condition is optional; all given must hold.' })
  @Allow()
  conditions?: unknown;

  @ApiProperty({ type: RuleEffectDto })
  @Allow()
  effect!: unknown;

  @ApiPropertyOptional({ type: RuleCapsDto, description: '0 in a cap or budget means none.' })
  @Allow()
  caps?: unknown;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: DESCRIPTIONS.dates })
  @Allow()
  start_date?: unknown;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: DESCRIPTIONS.dates })
  @Allow()
  end_date?: unknown;

  @ApiPropertyOptional({ default: true })
  @Allow()
  active?: unknown;
}

/**
 * Top-level fields replace; `conditions` and `caps` merge key by key (null removes a condition);
 * `effect` merges when its type stays and is replaced when it changes. program_id cannot change.
 */
export class UpdateRuleDto extends PartialType(CreateRuleDto) {}

export class RuleListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  program_id?: string;

  @ApiPropertyOptional({ enum: RULE_TYPES })
  @IsOptional()
  @IsIn(RULE_TYPES)
  rule_type?: RuleType;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @Matches(/^(true|false)$/, { message: 'must be true or false' })
  active?: string;
}

export class RuleDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '1 point per £1' })
  name!: string;

  @ApiProperty({ format: 'uuid' })
  program_id!: string;

  @ApiProperty({ enum: RULE_TYPES, description: DESCRIPTIONS.rule_type })
  rule_type!: string;

  @ApiProperty({ type: String, nullable: true })
  custom_type!: string | null;

  @ApiProperty({ description: DESCRIPTIONS.priority })
  priority!: number;

  @ApiProperty({ enum: STACKING_MODES, description: DESCRIPTIONS.stacking })
  stacking!: string;

  @ApiProperty({ type: RuleConditionsDto })
  conditions!: object;

  @ApiProperty({ type: RuleEffectDto })
  effect!: object;

  @ApiProperty({ type: RuleCapsDto })
  caps!: object;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  start_date!: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  end_date!: string | null;

  @ApiProperty()
  active!: boolean;

  @ApiProperty({
    description:
      'Points counted against the rule’s budget (`caps.budget_points`) so far, across all customers. Kept for ' +
      'budgeted rules only (counting every rule would serialize all earning through its row): 0 for a rule ' +
      'without a budget; its ledger rows carry its id.',
  })
  points_awarded!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class RulePageDto {
  @ApiProperty({ type: [RuleDto] })
  data!: RuleDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}
