import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsString, IsUrl, Length, Max, MaxLength, Min } from 'class-validator';
import type { AchievementCriteria } from '../achievement-criteria';
import { NotNullIfPresent, NullableIfPresent } from '../../../common/errors/validation';

export const ACHIEVEMENT_LIMITS = {
  nameMaxLength: 200,
  descriptionMaxLength: 5000,
  iconUrlMaxLength: 2000,
  pointsMax: 1_000_000,
} as const;

export const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true };

/**
 * The criteria of API.md, one shape per `type` (documentation: the service validates the object
 * as a whole and names the offending field, e.g. `criteria.count`).
 */
export class AchievementCriteriaDto {
  @ApiProperty({
    enum: ['activity_count', 'points_total', 'distinct_locations', 'events_attended', 'streak', 'tier_reached'],
    example: 'activity_count',
  })
  type!: string;

  @ApiPropertyOptional({
    example: 'purchase',
    description:
      'activity_count, streak: the activity type counted (purchase, check_in, event_attendance, signup, referral, ' +
      'birthday, survey, challenge_completed, refund or custom:<name>); distinct_locations: the type whose ' +
      'locations count, check_in by default.',
  })
  activity_type?: string;

  @ApiPropertyOptional({
    minimum: 1,
    example: 5,
    description:
      'activity_count: activities; distinct_locations: locations; events_attended: events; streak: consecutive ' +
      'local days or ISO weeks (at most 3650 days or 520 weeks).',
  })
  count?: number;

  @ApiPropertyOptional({ minimum: 1, example: 1000, description: 'points_total: lifetime points earned.' })
  points?: number;

  @ApiPropertyOptional({ enum: ['day', 'week'], description: 'streak: days or ISO weeks, in the tenant’s time zone.' })
  unit?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'tier_reached: reached when the customer holds this tier or a higher one.',
  })
  tier_id?: string;
}

export class CreateAchievementDto {
  @ApiProperty({ example: 'Regular', minLength: 1, maxLength: ACHIEVEMENT_LIMITS.nameMaxLength })
  @Transform(trimmed)
  @IsString()
  @Length(1, ACHIEVEMENT_LIMITS.nameMaxLength)
  name!: string;

  @ApiPropertyOptional({ example: 'Five purchases.', maxLength: ACHIEVEMENT_LIMITS.descriptionMaxLength })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(ACHIEVEMENT_LIMITS.descriptionMaxLength)
  description?: string;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', maxLength: ACHIEVEMENT_LIMITS.iconUrlMaxLength })
  @NullableIfPresent()
  @IsString()
  @MaxLength(ACHIEVEMENT_LIMITS.iconUrlMaxLength)
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  icon_url?: string | null;

  @ApiProperty({ type: AchievementCriteriaDto })
  @IsObject()
  criteria!: Record<string, unknown>;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: ACHIEVEMENT_LIMITS.pointsMax,
    default: 0,
    description: 'Points credited once, when a customer unlocks it.',
  })
  @NotNullIfPresent()
  @IsInt()
  @Min(0)
  @Max(ACHIEVEMENT_LIMITS.pointsMax)
  points?: number;

  @ApiPropertyOptional({ default: true, description: 'An inactive achievement is neither shown nor unlocked.' })
  @NotNullIfPresent()
  @IsBoolean()
  active?: boolean;
}

/** Every field optional. Changing the criteria does not take back a badge already unlocked. */
export class UpdateAchievementDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: ACHIEVEMENT_LIMITS.nameMaxLength })
  @Transform(trimmed)
  @NotNullIfPresent()
  @IsString()
  @Length(1, ACHIEVEMENT_LIMITS.nameMaxLength)
  name?: string;

  @ApiPropertyOptional({ maxLength: ACHIEVEMENT_LIMITS.descriptionMaxLength })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(ACHIEVEMENT_LIMITS.descriptionMaxLength)
  description?: string;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', maxLength: ACHIEVEMENT_LIMITS.iconUrlMaxLength })
  @NullableIfPresent()
  @IsString()
  @MaxLength(ACHIEVEMENT_LIMITS.iconUrlMaxLength)
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  icon_url?: string | null;

  @ApiPropertyOptional({ type: AchievementCriteriaDto })
  @NotNullIfPresent()
  @IsObject()
  criteria?: Record<string, unknown>;

  @ApiPropertyOptional({ minimum: 0, maximum: ACHIEVEMENT_LIMITS.pointsMax })
  @NotNullIfPresent()
  @IsInt()
  @Min(0)
  @Max(ACHIEVEMENT_LIMITS.pointsMax)
  points?: number;

  @ApiPropertyOptional()
  @NotNullIfPresent()
  @IsBoolean()
  active?: boolean;
}

export class AchievementDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Regular' })
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ type: String, nullable: true, format: 'uri' })
  icon_url!: string | null;

  @ApiProperty({ type: AchievementCriteriaDto })
  criteria!: AchievementCriteria;

  @ApiProperty({ example: 50 })
  points!: number;

  @ApiProperty()
  active!: boolean;

  @ApiProperty({ example: 12, description: 'Customers who have unlocked it.' })
  unlocked_count!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class AchievementPageDto {
  @ApiProperty({ type: [AchievementDto] })
  data!: AchievementDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class ProgressDto {
  @ApiProperty({ example: 3, description: 'Where the customer stands, never above target.' })
  current!: number;

  @ApiProperty({ example: 5 })
  target!: number;
}

export class MyAchievementDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Regular' })
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ type: String, nullable: true, format: 'uri' })
  icon_url!: string | null;

  @ApiProperty({ type: AchievementCriteriaDto })
  criteria!: AchievementCriteria;

  @ApiProperty({ example: 50, description: 'Points it pays when unlocked.' })
  points!: number;

  @ApiProperty()
  unlocked!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  unlocked_at!: string | null;

  @ApiProperty({ type: ProgressDto, description: 'Towards the criteria; complete (current = target) once unlocked.' })
  progress!: ProgressDto;
}

export class MyAchievementPageDto {
  @ApiProperty({ type: [MyAchievementDto] })
  data!: MyAchievementDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}
