import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { NotNullIfPresent, NullableIfPresent } from '../../../common/errors/validation';

export const REWARD_LIMITS = {
  nameMaxLength: 200,
  descriptionMaxLength: 5000,
  categoryMaxLength: 60,
  imageUrlMaxLength: 2000,
  pointCostMax: 1_000_000_000,
  quantityMax: 1_000_000_000,
  perCustomerLimitMax: 1_000_000,
  voucherValidDaysMax: 3650,
  locationsMax: 500,
} as const;

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true };

const DESCRIPTIONS = {
  category: 'Free text the catalog can be filtered by (`GET /api/rewards?category=`).',
  point_cost: 'Points a redemption costs, taken from the lots that expire first.',
  quantity_available:
    'Units left in stock; null or left out = unlimited. Each redemption takes one; a cancellation or an expired voucher gives it back.',
  start_date: 'Redeemable from this instant (ISO 8601); null = at once.',
  end_date: 'Redeemable until this instant, exclusive (ISO 8601); null = open-ended. After start_date.',
  min_tier_id: 'Only customers at this tier of the default program, or a higher one, may redeem; null = everyone.',
  per_customer_limit:
    'Redemptions per customer, pending or fulfilled (cancelled and expired ones do not count); null = no limit.',
  location_ids: 'Only at these locations: staff must fulfil at one of them; empty or null = anywhere.',
  voucher_valid_days:
    'Days a voucher may be fulfilled after redemption before it expires (stock back, points not); null = no expiry.',
  active:
    'An inactive reward is hidden from the catalog and cannot be redeemed; pending vouchers can still be fulfilled.',
} as const;

/**
 * What creating and changing a reward share: the nullable fields (null clears them), each
 * optional and validated the same way in both.
 */
abstract class RewardNullableFields {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'drinks',
    maxLength: REWARD_LIMITS.categoryMaxLength,
    description: DESCRIPTIONS.category,
  })
  @Transform(trimmed)
  @NullableIfPresent()
  @IsString()
  @Length(1, REWARD_LIMITS.categoryMaxLength)
  category?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', maxLength: REWARD_LIMITS.imageUrlMaxLength })
  @NullableIfPresent()
  @IsString()
  @MaxLength(REWARD_LIMITS.imageUrlMaxLength)
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  image_url?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: DESCRIPTIONS.start_date })
  @NullableIfPresent()
  @IsISO8601({ strict: true })
  start_date?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: DESCRIPTIONS.end_date })
  @NullableIfPresent()
  @IsISO8601({ strict: true })
  end_date?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: DESCRIPTIONS.min_tier_id })
  @NullableIfPresent()
  @IsUUID('all')
  min_tier_id?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: REWARD_LIMITS.perCustomerLimitMax,
    description: DESCRIPTIONS.per_customer_limit,
  })
  @NullableIfPresent()
  @IsInt()
  @Min(1)
  @Max(REWARD_LIMITS.perCustomerLimitMax)
  per_customer_limit?: number | null;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    format: 'uuid',
    maxItems: REWARD_LIMITS.locationsMax,
    description: DESCRIPTIONS.location_ids,
  })
  @NullableIfPresent()
  @IsArray()
  @ArrayMaxSize(REWARD_LIMITS.locationsMax)
  @ArrayUnique((id: unknown) => (typeof id === 'string' ? id.toLowerCase() : id))
  @IsUUID('all', { each: true })
  location_ids?: string[] | null;
}

export class CreateRewardDto extends RewardNullableFields {
  @ApiProperty({ example: 'Free coffee', minLength: 1, maxLength: REWARD_LIMITS.nameMaxLength })
  @Transform(trimmed)
  @IsString()
  @Length(1, REWARD_LIMITS.nameMaxLength)
  name!: string;

  @ApiPropertyOptional({ example: 'Any size, any milk.', maxLength: REWARD_LIMITS.descriptionMaxLength })
  @IsOptional()
  @IsString()
  @MaxLength(REWARD_LIMITS.descriptionMaxLength)
  description?: string;

  @ApiProperty({ example: 500, minimum: 1, maximum: REWARD_LIMITS.pointCostMax, description: DESCRIPTIONS.point_cost })
  @IsInt()
  @Min(1)
  @Max(REWARD_LIMITS.pointCostMax)
  point_cost!: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: REWARD_LIMITS.quantityMax,
    example: 50,
    description: DESCRIPTIONS.quantity_available,
  })
  @NullableIfPresent()
  @IsInt()
  @Min(0)
  @Max(REWARD_LIMITS.quantityMax)
  quantity_available?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: REWARD_LIMITS.voucherValidDaysMax,
    example: 30,
    description: DESCRIPTIONS.voucher_valid_days,
  })
  @NullableIfPresent()
  @IsInt()
  @Min(1)
  @Max(REWARD_LIMITS.voucherValidDaysMax)
  voucher_valid_days?: number | null;

  @ApiPropertyOptional({ default: true, description: DESCRIPTIONS.active })
  @NotNullIfPresent()
  @IsBoolean()
  active?: boolean;
}

/** Every field optional; the nullable ones clear with null. */
export class UpdateRewardDto extends RewardNullableFields {
  @ApiPropertyOptional({ minLength: 1, maxLength: REWARD_LIMITS.nameMaxLength })
  @Transform(trimmed)
  @NotNullIfPresent()
  @IsString()
  @Length(1, REWARD_LIMITS.nameMaxLength)
  name?: string;

  @ApiPropertyOptional({ maxLength: REWARD_LIMITS.descriptionMaxLength })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(REWARD_LIMITS.descriptionMaxLength)
  description?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: REWARD_LIMITS.pointCostMax, description: DESCRIPTIONS.point_cost })
  @NotNullIfPresent()
  @IsInt()
  @Min(1)
  @Max(REWARD_LIMITS.pointCostMax)
  point_cost?: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: REWARD_LIMITS.quantityMax,
    description: `${DESCRIPTIONS.quantity_available} Sets the stock left.`,
  })
  @NullableIfPresent()
  @IsInt()
  @Min(0)
  @Max(REWARD_LIMITS.quantityMax)
  quantity_available?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: REWARD_LIMITS.voucherValidDaysMax,
    description: `${DESCRIPTIONS.voucher_valid_days} Applies to vouchers issued from then on.`,
  })
  @NullableIfPresent()
  @IsInt()
  @Min(1)
  @Max(REWARD_LIMITS.voucherValidDaysMax)
  voucher_valid_days?: number | null;

  @ApiPropertyOptional({ description: DESCRIPTIONS.active })
  @NotNullIfPresent()
  @IsBoolean()
  active?: boolean;
}

export class RewardListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @Matches(/^(true|false)$/, { message: 'must be true or false' })
  active?: string;

  @ApiPropertyOptional({ maxLength: REWARD_LIMITS.categoryMaxLength })
  @IsOptional()
  @IsString()
  @MaxLength(REWARD_LIMITS.categoryMaxLength)
  category?: string;
}

export class RewardDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The program whose points pay for it (the default program).' })
  program_id!: string;

  @ApiProperty({ example: 'Free coffee' })
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ type: String, nullable: true, description: DESCRIPTIONS.category })
  category!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uri' })
  image_url!: string | null;

  @ApiProperty({ example: 500, description: DESCRIPTIONS.point_cost })
  point_cost!: number;

  @ApiProperty({ type: Number, nullable: true, description: DESCRIPTIONS.quantity_available })
  quantity_available!: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: DESCRIPTIONS.start_date })
  start_date!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: DESCRIPTIONS.end_date })
  end_date!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: DESCRIPTIONS.min_tier_id })
  min_tier_id!: string | null;

  @ApiProperty({ type: Number, nullable: true, description: DESCRIPTIONS.per_customer_limit })
  per_customer_limit!: number | null;

  @ApiProperty({ type: [String], format: 'uuid', description: DESCRIPTIONS.location_ids })
  location_ids!: string[];

  @ApiProperty({ type: Number, nullable: true, description: DESCRIPTIONS.voucher_valid_days })
  voucher_valid_days!: number | null;

  @ApiProperty({ description: DESCRIPTIONS.active })
  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class RewardPageDto {
  @ApiProperty({ type: [RewardDto] })
  data!: RewardDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}
