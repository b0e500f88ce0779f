import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import {
  CHALLENGE_KINDS,
  ChallengeGoal,
  ChallengeKind,
  ChallengeStatus,
  JOIN_MODES,
  JoinMode,
} from '../challenge-goal';
import { ProgressDto, trimmed } from './achievement.dto';
import { NotNullIfPresent } from '../../../common/errors/validation';

export const CHALLENGE_LIMITS = {
  nameMaxLength: 200,
  descriptionMaxLength: 5000,
  pointsMax: 1_000_000,
} as const;

const STATUSES: ChallengeStatus[] = ['upcoming', 'active', 'ended', 'completed'];

/** One shape per `type` (documentation: the service validates it and names the field, e.g. `goal.count`). */
export class ChallengeGoalDto {
  @ApiProperty({ enum: ['activity_count', 'points_earned'], example: 'activity_count' })
  type!: string;

  @ApiPropertyOptional({
    example: 'check_in',
    description: 'activity_count: the activity type that counts (any recorded type but challenge_completed).',
  })
  activity_type?: string;

  @ApiPropertyOptional({ minimum: 1, example: 10, description: 'activity_count: how many.' })
  count?: number;

  @ApiPropertyOptional({ minimum: 1, example: 5000, description: 'points_earned: points earned inside the time box.' })
  points?: number;
}

export class CreateChallengeDto {
  @ApiProperty({ example: 'Ten visits in May', minLength: 1, maxLength: CHALLENGE_LIMITS.nameMaxLength })
  @Transform(trimmed)
  @IsString()
  @Length(1, CHALLENGE_LIMITS.nameMaxLength)
  name!: string;

  @ApiPropertyOptional({ maxLength: CHALLENGE_LIMITS.descriptionMaxLength })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(CHALLENGE_LIMITS.descriptionMaxLength)
  description?: string;

  @ApiProperty({
    enum: CHALLENGE_KINDS,
    description: 'personal: each participant reaches the goal on their own; community: everyone adds to one goal.',
  })
  @IsIn(CHALLENGE_KINDS)
  kind!: ChallengeKind;

  @ApiProperty({ type: ChallengeGoalDto })
  @IsObject()
  goal!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time', description: 'Activities from this instant count.' })
  @IsISO8601({ strict: true })
  starts_at!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'Activities until this instant (exclusive) count. After starts_at.',
  })
  @IsISO8601({ strict: true })
  ends_at!: string;

  @ApiPropertyOptional({
    enum: JOIN_MODES,
    default: 'explicit',
    description:
      'explicit: customers join with POST /api/challenges/{id}/join; automatic: their first contribution joins them.',
  })
  @NotNullIfPresent()
  @IsIn(JOIN_MODES)
  join_mode?: JoinMode;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: CHALLENGE_LIMITS.pointsMax,
    default: 0,
    description: 'Bonus points each participant gets on completion, on top of the challenge_completed earning rules.',
  })
  @NotNullIfPresent()
  @IsInt()
  @Min(0)
  @Max(CHALLENGE_LIMITS.pointsMax)
  points?: number;

  @ApiPropertyOptional({ default: true, description: 'An inactive challenge is hidden and counts nothing.' })
  @NotNullIfPresent()
  @IsBoolean()
  active?: boolean;
}

/** Every field optional. The kind and goal can change only until the challenge starts. */
export class UpdateChallengeDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: CHALLENGE_LIMITS.nameMaxLength })
  @Transform(trimmed)
  @NotNullIfPresent()
  @IsString()
  @Length(1, CHALLENGE_LIMITS.nameMaxLength)
  name?: string;

  @ApiPropertyOptional({ maxLength: CHALLENGE_LIMITS.descriptionMaxLength })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(CHALLENGE_LIMITS.descriptionMaxLength)
  description?: string;

  @ApiPropertyOptional({ enum: CHALLENGE_KINDS })
  @NotNullIfPresent()
  @IsIn(CHALLENGE_KINDS)
  kind?: ChallengeKind;

  @ApiPropertyOptional({ type: ChallengeGoalDto })
  @NotNullIfPresent()
  @IsObject()
  goal?: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'date-time' })
  @NotNullIfPresent()
  @IsISO8601({ strict: true })
  starts_at?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @NotNullIfPresent()
  @IsISO8601({ strict: true })
  ends_at?: string;

  @ApiPropertyOptional({ enum: JOIN_MODES })
  @NotNullIfPresent()
  @IsIn(JOIN_MODES)
  join_mode?: JoinMode;

  @ApiPropertyOptional({ minimum: 0, maximum: CHALLENGE_LIMITS.pointsMax })
  @NotNullIfPresent()
  @IsInt()
  @Min(0)
  @Max(CHALLENGE_LIMITS.pointsMax)
  points?: number;

  @ApiPropertyOptional()
  @NotNullIfPresent()
  @IsBoolean()
  active?: boolean;
}

export class ChallengeDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ enum: CHALLENGE_KINDS })
  kind!: ChallengeKind;

  @ApiProperty({ type: ChallengeGoalDto })
  goal!: ChallengeGoal;

  @ApiProperty({ format: 'date-time' })
  starts_at!: string;

  @ApiProperty({ format: 'date-time' })
  ends_at!: string;

  @ApiProperty({ enum: JOIN_MODES })
  join_mode!: JoinMode;

  @ApiProperty()
  points!: number;

  @ApiProperty()
  active!: boolean;

  @ApiProperty({ enum: STATUSES, description: 'completed: a community goal reached.' })
  status!: ChallengeStatus;

  @ApiProperty({ type: ProgressDto, nullable: true, description: 'Community challenges: the shared total.' })
  community_progress!: ProgressDto | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a community goal was reached.' })
  completed_at!: string | null;

  @ApiProperty()
  participants!: number;

  @ApiProperty({ description: 'Participants who completed it (and were paid).' })
  completed_participants!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class ChallengePageDto {
  @ApiProperty({ type: [ChallengeDto] })
  data!: ChallengeDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class MyChallengeDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ enum: CHALLENGE_KINDS })
  kind!: ChallengeKind;

  @ApiProperty({ type: ChallengeGoalDto })
  goal!: ChallengeGoal;

  @ApiProperty({ format: 'date-time' })
  starts_at!: string;

  @ApiProperty({ format: 'date-time' })
  ends_at!: string;

  @ApiProperty({ enum: JOIN_MODES })
  join_mode!: JoinMode;

  @ApiProperty({ description: 'Bonus points on completion (earning rules for challenge_completed may add more).' })
  points!: number;

  @ApiProperty({ enum: STATUSES })
  status!: ChallengeStatus;

  @ApiProperty()
  joined!: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  joined_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When I completed it.' })
  completed_at!: string | null;

  @ApiProperty({
    type: ProgressDto,
    description: 'Mine: my progress towards a personal goal, or my contribution to a community one.',
  })
  progress!: ProgressDto;

  @ApiProperty({ type: ProgressDto, nullable: true, description: 'Community challenges: everyone’s total.' })
  community_progress!: ProgressDto | null;
}

export class MyChallengePageDto {
  @ApiProperty({ type: [MyChallengeDto] })
  data!: MyChallengeDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}
