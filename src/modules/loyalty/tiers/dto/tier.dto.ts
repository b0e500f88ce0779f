import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsString, Length, Max, Min } from 'class-validator';
import { TIER_LIMITS } from '../tier-ladder';
import { NotNullIfPresent, NullableIfPresent } from '../../../../common/errors/validation';

export const TIER_BASES = ['lifetime', 'qualifying'] as const;
export type TierBasisName = (typeof TIER_BASES)[number];

const DESCRIPTIONS = {
  threshold: 'Points needed on the basis; 0 makes the entry tier everyone holds once they earn.',
  basis: '`lifetime`: every point ever earned counts; `qualifying`: only points earned in the last window_days days.',
  window_days: `Required for a qualifying tier (${TIER_LIMITS.windowDaysMin}–${TIER_LIMITS.windowDaysMax}); left out (or null) for a lifetime tier.`,
  rank: `Position in the ladder, 0 = lowest, unique within the program (0–${TIER_LIMITS.rankMax}).`,
  benefits:
    `earn_multiplier (${TIER_LIMITS.earnMultiplierMin}–${TIER_LIMITS.earnMultiplierMax}, default 1) scales the points of ` +
    'fixed and points-per-unit rules; any other snake_case key is a perk with a string, number or boolean value. ' +
    'On PATCH the keys given replace the stored ones and null removes one.',
} as const;

/** Documentation of the benefits object; checked by readBenefits (tier-ladder.ts). */
export class TierBenefitsDto {
  @ApiProperty({
    minimum: TIER_LIMITS.earnMultiplierMin,
    maximum: TIER_LIMITS.earnMultiplierMax,
    default: 1,
    example: 1.5,
    description: 'Multiplies the points of fixed and points_per_unit rules (not bonuses).',
  })
  earn_multiplier!: number;
}

export class CreateTierDto {
  @ApiProperty({ minLength: 1, maxLength: TIER_LIMITS.nameMaxLength, example: 'Gold' })
  @IsString()
  @Length(1, TIER_LIMITS.nameMaxLength)
  name!: string;

  @ApiProperty({ minimum: 0, example: 1000, description: DESCRIPTIONS.threshold })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  threshold!: number;

  @ApiProperty({ enum: TIER_BASES, description: DESCRIPTIONS.basis })
  @IsIn(TIER_BASES)
  basis!: TierBasisName;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: TIER_LIMITS.windowDaysMin,
    maximum: TIER_LIMITS.windowDaysMax,
    example: 365,
    description: DESCRIPTIONS.window_days,
  })
  @NullableIfPresent()
  @IsInt()
  @Min(TIER_LIMITS.windowDaysMin)
  @Max(TIER_LIMITS.windowDaysMax)
  window_days?: number | null;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: TIER_LIMITS.rankMax,
    description: `${DESCRIPTIONS.rank} Default: one above the highest tier.`,
  })
  @NullableIfPresent()
  @IsInt()
  @Min(0)
  @Max(TIER_LIMITS.rankMax)
  rank?: number | null;

  @ApiPropertyOptional({ type: TierBenefitsDto, description: DESCRIPTIONS.benefits })
  @NullableIfPresent()
  @IsObject()
  benefits?: Record<string, unknown> | null;
}

export class UpdateTierDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: TIER_LIMITS.nameMaxLength })
  @NotNullIfPresent()
  @IsString()
  @Length(1, TIER_LIMITS.nameMaxLength)
  name?: string;

  @ApiPropertyOptional({ minimum: 0, description: DESCRIPTIONS.threshold })
  @NotNullIfPresent()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  threshold?: number;

  @ApiPropertyOptional({
    enum: TIER_BASES,
    description: `${DESCRIPTIONS.basis} Switching to lifetime drops the window.`,
  })
  @NotNullIfPresent()
  @IsIn(TIER_BASES)
  basis?: TierBasisName;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: TIER_LIMITS.windowDaysMin,
    maximum: TIER_LIMITS.windowDaysMax,
    description: DESCRIPTIONS.window_days,
  })
  @NullableIfPresent()
  @IsInt()
  @Min(TIER_LIMITS.windowDaysMin)
  @Max(TIER_LIMITS.windowDaysMax)
  window_days?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: TIER_LIMITS.rankMax, description: DESCRIPTIONS.rank })
  @NotNullIfPresent()
  @IsInt()
  @Min(0)
  @Max(TIER_LIMITS.rankMax)
  rank?: number;

  @ApiPropertyOptional({ type: TierBenefitsDto, nullable: true, description: DESCRIPTIONS.benefits })
  @NullableIfPresent()
  @IsObject()
  benefits?: Record<string, unknown> | null;
}

export class ProgramTierDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  program_id!: string;

  @ApiProperty({ example: 'Gold' })
  name!: string;

  @ApiProperty({ description: DESCRIPTIONS.rank })
  rank!: number;

  @ApiProperty({ example: 1000, description: DESCRIPTIONS.threshold })
  threshold!: number;

  @ApiProperty({ enum: TIER_BASES, description: DESCRIPTIONS.basis })
  basis!: TierBasisName;

  @ApiProperty({ type: Number, nullable: true, example: 365 })
  window_days!: number | null;

  @ApiProperty({ type: TierBenefitsDto, description: 'earn_multiplier plus the tenant’s own perks.' })
  benefits!: Record<string, string | number | boolean>;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class ProgramTierListDto {
  @ApiProperty({ type: [ProgramTierDto], description: 'The program’s ladder, lowest rank first.' })
  data!: ProgramTierDto[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: `Always null: the ladder (at most ${TIER_LIMITS.tiersPerProgram} tiers) comes in one page.`,
  })
  next_cursor!: string | null;
}
