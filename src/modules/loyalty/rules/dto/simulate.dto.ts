import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ACTIVITY_TYPE, ActivityItemDto } from '../../activities/dto/record-activity.dto';
import { CreateRuleDto } from './rule.dto';

export const SIMULATION_LIMITS = { rules: 100, segments: 100 } as const;

/** The activity to evaluate: the fields of POST /api/activities that rules look at. */
export class SimulatedActivityDto {
  @ApiProperty({
    description:
      'purchase, refund, check_in, event_attendance, signup, referral, birthday, survey, challenge_completed or custom:<name>.',
    example: 'purchase',
  })
  @Matches(ACTIVITY_TYPE, { message: 'must be a known activity type or custom:<name>' })
  type!: string;

  @ApiPropertyOptional({
    description: 'Minor units. Required for a purchase, as on POST /api/activities.',
    example: 1250,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  amount?: number;

  @ApiPropertyOptional({ description: 'ISO 4217; defaults to the tenant’s currency.', example: 'GBP' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as GBP' })
  currency?: string;

  @ApiPropertyOptional({ type: [ActivityItemDto] })
  @IsOptional()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => ActivityItemDto)
  items?: ActivityItemDto[];

  @ApiPropertyOptional({ example: 'in_store' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  channel?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  location_id?: string;

  @ApiPropertyOptional({
    description:
      'ISO 8601; defaults to now. May be in the future, to try a time window or a day of the week ahead; caps are ' +
      'still counted in the current day, week and month.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurred_at?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Defaults to the tenant’s default program.' })
  @IsOptional()
  @IsUUID('all')
  program_id?: string;
}

/**
 * Who earns: a real customer (their tier, segments, activity counts and what each saved rule has
 * already given them), or a hypothetical one described by its facts. Not both.
 */
export class SimulatedCustomerDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A customer of the tenant: their real tier, segments, prior activity counts and cap usage.',
  })
  @IsOptional()
  @IsUUID('all')
  customer_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A tier of the program (its earn multiplier applies). Without: no tier.',
  })
  @IsOptional()
  @IsUUID('all')
  tier_id?: string;

  @ApiPropertyOptional({ type: [String], example: ['vip'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SIMULATION_LIMITS.segments)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  segments?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    example: { purchase: 4 },
    description: 'Activities of each type the customer had BEFORE this one (first_activity_only, every_nth).',
  })
  @IsOptional()
  @IsObject()
  prior_count_by_type?: Record<string, unknown>;
}

export class SimulateRulesDto {
  @ApiPropertyOptional({
    type: [CreateRuleDto],
    description:
      'Unsaved rules to try, each checked as on POST /api/admin/rules (errors name `rules[i].<field>`); they answer ' +
      'with rule_id `rules[i]`. Left out: the active rules of the program that match the activity type.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(SIMULATION_LIMITS.rules)
  rules?: unknown[];

  @ApiProperty({ type: SimulatedActivityDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => SimulatedActivityDto)
  activity!: SimulatedActivityDto;

  @ApiPropertyOptional({ type: SimulatedCustomerDto, description: 'Left out: a new customer with no tier or history.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SimulatedCustomerDto)
  customer?: SimulatedCustomerDto;
}

export class SimulatedAppliedRuleDto {
  @ApiProperty({ description: 'The rule’s id, or `rules[i]` for an unsaved rule.' })
  rule_id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  points!: number;

  @ApiPropertyOptional({
    enum: ['day', 'week', 'month', 'lifetime', 'budget', 'max_per_activity'],
    description: 'What reduced the points, when something did.',
  })
  capped?: string;
}

export class SimulatedSkippedRuleDto {
  @ApiProperty({ description: 'The rule’s id, or `rules[i]` for an unsaved rule.' })
  rule_id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({
    description:
      'inactive, type_mismatch, not_started, ended, amount_missing, below_min_amount, above_max_amount, ' +
      'currency_mismatch, no_matching_item, channel_mismatch, location_mismatch, day_of_week, outside_time_window, ' +
      'tier_mismatch, segment_mismatch, not_first_activity, not_nth_activity, cap_reached, excluded.',
  })
  reason!: string;

  @ApiPropertyOptional({ enum: ['day', 'week', 'month', 'lifetime', 'budget'], description: 'With cap_reached.' })
  cap?: string;

  @ApiPropertyOptional({ description: 'With excluded: the exclusive rule that fired.' })
  excluded_by?: string;
}

export class SimulationResultDto {
  @ApiProperty({ description: 'The points the activity would earn: the sum of applied[].points.' })
  points!: number;

  @ApiProperty({ type: [SimulatedAppliedRuleDto], description: 'Rules that would fire, in evaluation order.' })
  applied!: SimulatedAppliedRuleDto[];

  @ApiProperty({ type: [SimulatedSkippedRuleDto], description: 'Rules that would not, each with why.' })
  skipped!: SimulatedSkippedRuleDto[];
}
