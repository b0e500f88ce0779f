import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class LocationAnalyticsQueryDto {
  @ApiPropertyOptional({ format: 'date', description: 'First day (tenant time zone), default 29 days before `to`.' })
  @IsOptional()
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    format: 'date',
    description: 'Last day, included (tenant time zone), default today. At most 366 days after `from`.',
  })
  @IsOptional()
  @Matches(DATE, { message: 'must be a date YYYY-MM-DD' })
  to?: string;
}

export class CheckinCountsDto {
  @ApiProperty()
  checkins!: number;

  @ApiProperty()
  verified!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'verified / checkins; null without check-ins.' })
  verified_ratio!: number | null;
}

export class HourlyCheckinsDto extends CheckinCountsDto {
  @ApiProperty({ format: 'date', example: '2026-05-14' })
  date!: string;

  @ApiProperty({ minimum: 0, maximum: 23, description: 'Hour of the day in the tenant’s time zone.' })
  hour!: number;
}

export class DailyCheckinsDto extends CheckinCountsDto {
  @ApiProperty({ format: 'date', example: '2026-05-14' })
  date!: string;
}

export class LocationAnalyticsDto {
  @ApiProperty({ format: 'uuid' })
  location_id!: string;

  @ApiProperty({ format: 'date' })
  from!: string;

  @ApiProperty({ format: 'date' })
  to!: string;

  @ApiProperty({
    example: 'Europe/London',
    description: 'The tenant’s time zone, in which days and hours are counted.',
  })
  time_zone!: string;

  @ApiProperty({ type: CheckinCountsDto })
  totals!: CheckinCountsDto;

  @ApiProperty({ type: [DailyCheckinsDto], description: 'Days with check-ins, oldest first.' })
  by_day!: DailyCheckinsDto[];

  @ApiProperty({ type: [HourlyCheckinsDto], description: 'Hours with check-ins, oldest first.' })
  by_hour!: HourlyCheckinsDto[];
}
