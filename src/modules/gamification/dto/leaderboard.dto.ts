import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class LeaderboardQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10, description: 'How many of the top to list.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;
}

export class LeaderboardEntryDto {
  @ApiProperty({ example: 1, description: 'Equal points share a rank; the next rank skips ("1, 2, 2, 4").' })
  rank!: number;

  @ApiProperty({ example: 'Ann L.', description: 'First name and the initial of the last name.' })
  display_name!: string;

  @ApiProperty({ example: 1250 })
  points!: number;

  @ApiProperty({ description: 'This entry is the caller.' })
  is_me!: boolean;
}

export class LeaderboardMeDto {
  @ApiProperty({ type: Number, nullable: true, description: 'null when the caller has no points on this board.' })
  rank!: number | null;

  @ApiProperty({ example: 300 })
  points!: number;

  @ApiProperty({
    description: 'The caller opted out of leaderboards (profile `leaderboard_opt_out`) and is not ranked.',
  })
  opted_out!: boolean;
}

export class LeaderboardDto {
  @ApiProperty({ enum: ['weekly', 'monthly', 'all-time', 'challenge'] })
  period!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Start of the current week or month at the tenant’s local midnight; null for all time.',
  })
  starts_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'End (exclusive) of the period.' })
  ends_at!: string | null;

  @ApiProperty({ type: [LeaderboardEntryDto], description: 'The top of the board, highest first.' })
  data!: LeaderboardEntryDto[];

  @ApiProperty({ type: LeaderboardMeDto })
  me!: LeaderboardMeDto;
}
