import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const RULE_STATS_MAX_DAYS = 366;
export const RULE_STATS_DEFAULT_DAYS = 30;

export class RuleStatsQueryDto {
  @ApiPropertyOptional({
    format: 'date',
    description: `First day (tenant time zone), default ${RULE_STATS_DEFAULT_DAYS - 1} days before \`to\`.`,
  })
  @IsOptional()
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    format: 'date',
    description: `Last day, included (tenant time zone), default today. At most ${RULE_STATS_MAX_DAYS} days after \`from\`.`,
  })
  @IsOptional()
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  to?: string;
}

export class RuleDayStatsDto {
  @ApiProperty({ format: 'date', example: '2026-05-14' })
  date!: string;

  @ApiProperty({ description: 'Activities of that day the rule awarded points for.' })
  times_fired!: number;

  @ApiProperty({ description: 'Points the rule awarded for activities of that day.' })
  points!: number;

  @ApiProperty({ description: 'Points taken back by refunds of that day from what the rule had awarded.' })
  points_reversed!: number;
}

export class RuleStatsDto {
  @ApiProperty({ format: 'uuid' })
  rule_id!: string;

  @ApiProperty({ format: 'date' })
  from!: string;

  @ApiProperty({ format: 'date' })
  to!: string;

  @ApiProperty({ example: 'Europe/London', description: 'The tenant’s time zone, in which days are counted.' })
  time_zone!: string;

  @ApiProperty({ description: 'Activities in the window the rule awarded points for (once per activity).' })
  times_fired!: number;

  @ApiProperty({ description: 'Distinct customers the rule awarded points to in the window.' })
  customers!: number;

  @ApiProperty({ description: 'Points the rule awarded in the window.' })
  points_awarded!: number;

  @ApiProperty({
    description:
      'Points refunds in the window took back from what the rule had awarded (whenever it awarded them); what ' +
      'the customer had already spent is not counted.',
  })
  points_reversed!: number;

  @ApiProperty({ description: 'points_awarded − points_reversed.' })
  net_points!: number;

  @ApiProperty({ type: [RuleDayStatsDto], description: 'Days with firings or reversals, oldest first.' })
  by_day!: RuleDayStatsDto[];
}
