import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../../../common/pagination/pagination';
import {
  DOWNGRADE_POLICIES,
  EXPIRY_TYPES,
  PROGRAM_LIMITS,
  PROGRAM_STATUSES,
  ROUNDING_MODES,
} from '../program-policies';
import { NotNullIfPresent, NullableIfPresent } from '../../../../common/errors/validation';

export type ProgramStatus = (typeof PROGRAM_STATUSES)[number];
export type TierDowngradePolicy = (typeof DOWNGRADE_POLICIES)[number];

/** Documentation of the earn policy; its fields are checked by validateEarnPolicy (program-policies.ts). */
export class EarnPolicyDto {
  @ApiProperty({
    enum: ROUNDING_MODES,
    default: 'floor',
    description: 'How fractional points are rounded, once per rule (`round` is half up).',
  })
  rounding!: (typeof ROUNDING_MODES)[number];

  @ApiProperty({
    minimum: 0,
    maximum: PROGRAM_LIMITS.maxPointsPerActivityMax,
    default: 0,
    description: 'Most points one activity may earn across all its rules; 0 = no limit.',
  })
  max_points_per_activity!: number;
}

/** Documentation of the expiry policy union; checked by validateExpiryPolicy (program-policies.ts). */
export class ExpiryPolicyDto {
  @ApiProperty({
    enum: EXPIRY_TYPES,
    description:
      '`never`; `days_after_earn` (with `days`); `end_of_nth_month` (with `months`: points are good through the ' +
      'end of the Nth month after the month of earning, in the tenant’s time zone; 0 = the month of earning).',
  })
  type!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: PROGRAM_LIMITS.expiryDaysMax, description: 'For `days_after_earn`.' })
  days?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: PROGRAM_LIMITS.expiryMonthsMax, description: 'For `end_of_nth_month`.' })
  months?: number;
}

const DESCRIPTIONS = {
  point_name: 'What the program calls its points ("stars", "beans").',
  earn_policy: 'Rounding and the per-activity limit. On PATCH, the fields given replace the stored ones.',
  expiry_policy: 'When earned points expire. Always given whole (its fields depend on `type`).',
  pending_days: 'Days earned points wait before they can be spent (returns window); 0 = at once.',
  tier_downgrade_policy:
    '`never`: a tier once reached is kept; `period_end`: the tier review moves customers to the tier their points ' +
    'now earn; `one_step`: the review drops them at most one rank.',
} as const;

export class CreateProgramDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Coffee Club' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 40, default: 'points', description: DESCRIPTIONS.point_name })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  point_name?: string;

  @ApiPropertyOptional({ type: EarnPolicyDto, description: DESCRIPTIONS.earn_policy })
  @IsOptional()
  @IsObject()
  earn_policy?: Record<string, unknown>;

  @ApiPropertyOptional({ type: ExpiryPolicyDto, description: DESCRIPTIONS.expiry_policy })
  @IsOptional()
  @IsObject()
  expiry_policy?: Record<string, unknown>;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: PROGRAM_LIMITS.pendingDaysMax,
    default: 0,
    description: DESCRIPTIONS.pending_days,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(PROGRAM_LIMITS.pendingDaysMax)
  pending_days?: number;

  @ApiPropertyOptional({ enum: DOWNGRADE_POLICIES, default: 'never', description: DESCRIPTIONS.tier_downgrade_policy })
  @IsOptional()
  @IsIn(DOWNGRADE_POLICIES)
  tier_downgrade_policy?: TierDowngradePolicy;

  @ApiPropertyOptional({
    default: false,
    description:
      'Make this the tenant’s default program (the others stop being default). The tenant’s first program is ' +
      'always the default.',
  })
  @IsOptional()
  @IsBoolean()
  is_default?: boolean;
}

export class UpdateProgramDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @NotNullIfPresent()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 40, description: DESCRIPTIONS.point_name })
  @NotNullIfPresent()
  @IsString()
  @Length(1, 40)
  point_name?: string;

  @ApiPropertyOptional({ type: EarnPolicyDto, nullable: true, description: DESCRIPTIONS.earn_policy })
  @NullableIfPresent()
  @IsObject()
  earn_policy?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: ExpiryPolicyDto,
    nullable: true,
    description: `${DESCRIPTIONS.expiry_policy} null = never.`,
  })
  @NullableIfPresent()
  @IsObject()
  expiry_policy?: Record<string, unknown> | null;

  @ApiPropertyOptional({ minimum: 0, maximum: PROGRAM_LIMITS.pendingDaysMax, description: DESCRIPTIONS.pending_days })
  @NotNullIfPresent()
  @IsInt()
  @Min(0)
  @Max(PROGRAM_LIMITS.pendingDaysMax)
  pending_days?: number;

  @ApiPropertyOptional({ enum: DOWNGRADE_POLICIES, description: DESCRIPTIONS.tier_downgrade_policy })
  @NotNullIfPresent()
  @IsIn(DOWNGRADE_POLICIES)
  tier_downgrade_policy?: TierDowngradePolicy;

  @ApiPropertyOptional({
    description:
      'true makes this the default program (the others stop being default). false is refused: there is always ' +
      'one default, so make another program the default instead.',
  })
  @NotNullIfPresent()
  @IsBoolean()
  is_default?: boolean;

  @ApiPropertyOptional({
    enum: PROGRAM_STATUSES,
    description: 'An archived program earns nothing and cannot be the default.',
  })
  @NotNullIfPresent()
  @IsIn(PROGRAM_STATUSES)
  status?: ProgramStatus;
}

export class ProgramListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PROGRAM_STATUSES })
  @IsOptional()
  @IsIn(PROGRAM_STATUSES)
  status?: ProgramStatus;
}

export class ProgramDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Coffee Club' })
  name!: string;

  @ApiProperty({ example: 'points', description: DESCRIPTIONS.point_name })
  point_name!: string;

  @ApiProperty({ enum: PROGRAM_STATUSES })
  status!: ProgramStatus;

  @ApiProperty({ description: 'Activities and rules without a program_id use the default program.' })
  is_default!: boolean;

  @ApiProperty({ type: EarnPolicyDto })
  earn_policy!: EarnPolicyDto;

  @ApiProperty({ type: ExpiryPolicyDto })
  expiry_policy!: ExpiryPolicyDto;

  @ApiProperty({ description: DESCRIPTIONS.pending_days })
  pending_days!: number;

  @ApiProperty({ enum: DOWNGRADE_POLICIES, description: DESCRIPTIONS.tier_downgrade_policy })
  tier_downgrade_policy!: TierDowngradePolicy;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class ProgramPageDto {
  @ApiProperty({ type: [ProgramDto] })
  data!: ProgramDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}
