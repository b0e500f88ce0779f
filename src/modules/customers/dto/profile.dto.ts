import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PHONE } from '../customer-fields';
import { NotNullIfPresent } from '../../../common/errors/validation';
import { TierRefDto } from './customer.dto';

export class ProfileDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ nullable: true, type: String })
  email!: string | null;

  @ApiProperty()
  first_name!: string;

  @ApiProperty()
  last_name!: string;

  @ApiProperty({ nullable: true, type: String })
  phone!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date' })
  birthday!: string | null;

  @ApiProperty({ type: Object })
  preferences!: Record<string, unknown>;

  @ApiProperty()
  marketing_opt_in!: boolean;

  @ApiProperty()
  leaderboard_opt_out!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

/** What a customer may change about themselves; the e-mail is their sign-in and is not changed here. */
export class UpdateProfileDto {
  @ApiPropertyOptional()
  @NotNullIfPresent()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @ApiPropertyOptional()
  @NotNullIfPresent()
  @IsString()
  @MaxLength(100)
  last_name?: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null removes it.' })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a telephone number' })
  phone?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', description: 'null removes it.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date as YYYY-MM-DD' })
  birthday?: string | null;

  @ApiPropertyOptional({ type: Object, description: 'A JSON object of at most 8 KB; replaces the stored one.' })
  @NotNullIfPresent()
  @IsObject()
  preferences?: Record<string, unknown>;

  @ApiPropertyOptional()
  @NotNullIfPresent()
  @IsBoolean()
  marketing_opt_in?: boolean;

  @ApiPropertyOptional({ description: 'Hide me from leaderboards.' })
  @NotNullIfPresent()
  @IsBoolean()
  leaderboard_opt_out?: boolean;
}

export class ExpiringPointsDto {
  @ApiProperty()
  points!: number;

  @ApiProperty({ format: 'date-time' })
  expires_at!: string;
}

export class BalanceDto {
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The default program.' })
  program_id!: string | null;

  @ApiProperty({ description: 'Spendable points.' })
  balance!: number;

  @ApiProperty({ description: 'Points earned but held for the program’s pending period.' })
  pending_balance!: number;

  @ApiProperty()
  lifetime_points!: number;

  @ApiProperty({ type: TierRefDto, nullable: true })
  tier!: TierRefDto | null;

  @ApiProperty({ type: TierRefDto, nullable: true })
  next_tier!: TierRefDto | null;

  @ApiProperty({ nullable: true, type: Number, description: 'null at the top tier.' })
  points_to_next_tier!: number | null;

  @ApiProperty({
    type: [ExpiringPointsDto],
    description: 'Points expiring in the next 90 days, by expiry instant, soonest first.',
  })
  expiring!: ExpiringPointsDto[];
}

export class TierDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Gold' })
  name!: string;

  @ApiProperty({ description: '0 is the lowest.' })
  rank!: number;

  @ApiProperty({ example: 1000 })
  threshold!: number;

  @ApiProperty({ enum: ['lifetime', 'qualifying'] })
  basis!: string;

  @ApiProperty({ nullable: true, type: Number, example: 365 })
  window_days!: number | null;

  @ApiProperty({ type: Object, example: { earn_multiplier: 1.5 } })
  benefits!: Record<string, unknown>;
}

export class TierListDto {
  @ApiProperty({ type: [TierDto], description: 'The default program’s tiers, lowest rank first.' })
  data!: TierDto[];

  @ApiProperty({ nullable: true, type: String, description: 'Always null: the ladder comes in one page.' })
  next_cursor!: string | null;
}

export class TierProgressDto {
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  program_id!: string | null;

  @ApiProperty({ type: TierDto, nullable: true })
  tier!: TierDto | null;

  @ApiProperty({ type: TierDto, nullable: true })
  next_tier!: TierDto | null;

  @ApiProperty({ enum: ['lifetime', 'qualifying'], nullable: true, description: 'What the progress counts.' })
  basis!: string | null;

  @ApiProperty({ nullable: true, type: Number, description: 'For qualifying points: the window in days.' })
  window_days!: number | null;

  @ApiProperty({ description: 'The customer’s points on that basis.' })
  points!: number;

  @ApiProperty({ nullable: true, type: Number, description: 'null at the top tier.' })
  points_to_next_tier!: number | null;

  @ApiProperty({ minimum: 0, maximum: 100, description: 'Whole percent of the way to the next tier.' })
  progress_percent!: number;
}

export class CustomerExportDto {
  @ApiProperty({ example: 1 })
  format_version!: number;

  @ApiProperty({ format: 'date-time' })
  exported_at!: string;

  @ApiProperty({ type: Object, description: 'The customer profile as stored.' })
  customer!: Record<string, unknown>;

  @ApiProperty({ type: Object, nullable: true, description: 'The sign-in account, without secrets.' })
  user_account!: Record<string, unknown> | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'object' } },
    description:
      'One list per kind of record: loyalty_accounts, point_transactions, point_lots, activities, tier_changes, ...',
  })
  records!: Record<string, unknown[]>;
}
