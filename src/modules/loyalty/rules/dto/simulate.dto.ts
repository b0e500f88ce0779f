import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateNested,
} from 'class-validator';
import { RecordActivityDto } from '../../activities/dto/record-activity.dto';
import { CreateRuleDto } from './rule.dto';

export const SIMULATION_LIMITS = { rules: 100, segments: 100 } as const;

/** The activity to evaluate: the fields of POST /api/activities that rules look at. */
export class SimulatedActivityDto extends PickType(RecordActivityDto, [
  'type',
  'amount',
  'currency',
  'items',
  'channel',
  'location_id',
  'program_id',
] as const) {
  @ApiPropertyOptional({
    description:
      'ISO 8601; defaults to now. May be in the future, to try a time window or a day of the week ahead; caps are ' +
      'still counted in the current day, week and month.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurred_at?: string;
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
