import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
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

export const ACTIVITY_TYPE =
  /^(purchase|refund|check_in|event_attendance|signup|referral|birthday|survey|challenge_completed|custom:[a-z0-9][a-z0-9_.-]{0,49})$/;

export class ActivityItemDto {
  @ApiProperty({ example: 'LATTE-L' })
  @IsString()
  @Length(1, 100)
  sku!: string;

  @ApiPropertyOptional({ example: 'coffee' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  category?: string;

  @ApiProperty({ minimum: 1, example: 1 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  quantity!: number;

  @ApiPropertyOptional({ description: 'Line total in minor units.', example: 450 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  amount?: number;
}

export class RecordActivityDto {
  @ApiProperty({
    description:
      'purchase, refund, check_in, event_attendance, signup, referral, birthday, survey, challenge_completed or custom:<name>.',
    example: 'purchase',
  })
  @Matches(ACTIVITY_TYPE, { message: 'must be a known activity type or custom:<name>' })
  type!: string;

  @ApiPropertyOptional({ description: 'Beacon customer id; or give external_customer_id.' })
  @IsOptional()
  @IsUUID('all')
  customer_id?: string;

  @ApiPropertyOptional({ description: "The customer's id in the tenant's own system." })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  external_customer_id?: string;

  @ApiPropertyOptional({ description: 'Defaults to the tenant’s default program.' })
  @IsOptional()
  @IsUUID('all')
  program_id?: string;

  @ApiPropertyOptional({ description: 'Minor units (e.g. pence). Required for purchases and refunds.', example: 1250 })
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

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all')
  location_id?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; defaults to now. At most 5 minutes in the future.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurred_at?: string;

  @ApiPropertyOptional({
    description: 'The tenant’s own reference (order number, …). A refund names its purchase by it.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reference?: string;

  @ApiPropertyOptional({
    description: 'For a refund: the purchase activity it refunds (or give the purchase reference).',
  })
  @IsOptional()
  @IsUUID('all')
  refund_of?: string;

  @ApiPropertyOptional({ type: Object, description: 'Free-form attributes kept with the activity (≤ 8 KB).' })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;
}

export class DryRunQueryDto {
  @ApiPropertyOptional({ description: 'Evaluate the rules and answer without writing anything.' })
  @IsOptional()
  @Type(() => String)
  @Matches(/^(true|false)$/, { message: 'must be true or false' })
  dry_run?: string;
}

export class AppliedRuleDto {
  @ApiProperty()
  rule_id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  points!: number;
}

export class ActivityTierDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;
}

export class ActivityResultDto {
  @ApiProperty({ nullable: true, type: String, description: 'Null on a dry run.' })
  activity_id!: string | null;

  @ApiProperty({ description: 'Points earned (negative for a refund that reversed points).' })
  points_awarded!: number;

  @ApiProperty({ type: [AppliedRuleDto] })
  rules_applied!: AppliedRuleDto[];

  @ApiProperty({ description: 'Spendable balance after the activity.' })
  balance!: number;

  @ApiProperty({ description: 'Points held for the program’s pending period.' })
  pending_balance!: number;

  @ApiProperty({ type: ActivityTierDto, nullable: true })
  tier!: ActivityTierDto | null;

  @ApiPropertyOptional({ description: 'For a refund: points that could not be reversed because they were spent.' })
  shortfall?: number;

  @ApiProperty()
  dry_run!: boolean;
}
