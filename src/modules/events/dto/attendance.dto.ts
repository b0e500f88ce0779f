import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { CHECK_IN_METHODS, CheckInMethod } from '../event-schedule';
import { EventDto } from './event.dto';

export class RecordAttendanceDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  customer_id!: string;

  @ApiProperty({ enum: ['manual'], description: 'Staff record attendance by hand; QR check-ins come from the app.' })
  @IsIn(['manual'], { message: 'must be manual' })
  check_in_method!: 'manual';

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  notes?: string;
}

export class AttendEventDto {
  @ApiProperty({ description: 'The code read from the event’s QR code.', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  code!: string;

  @ApiPropertyOptional({ minimum: -90, maximum: 90, description: 'Where the phone is (WGS 84).' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat?: number;

  @ApiPropertyOptional({ minimum: -180, maximum: 180 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lon?: number;
}

export class AttendanceDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  event_id!: string;

  @ApiProperty({ format: 'uuid' })
  customer_id!: string;

  @ApiProperty({ enum: CHECK_IN_METHODS })
  check_in_method!: CheckInMethod;

  @ApiProperty({ format: 'date-time' })
  checked_in_at!: string;

  @ApiProperty({ nullable: true, type: String })
  notes!: string | null;

  @ApiProperty({ description: 'Points earned by the event_attendance rules.' })
  points_awarded!: number;

  @ApiProperty({ description: 'The customer’s spendable balance afterwards.' })
  balance!: number;
}

export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export class ReportQueryDto {
  @ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(REPORT_FORMATS)
  format: ReportFormat = 'json';
}

export class AttendeeDto {
  @ApiProperty({ format: 'uuid' })
  customer_id!: string;

  @ApiProperty()
  first_name!: string;

  @ApiProperty()
  last_name!: string;

  @ApiProperty({ nullable: true, type: String })
  email!: string | null;

  @ApiProperty({ enum: CHECK_IN_METHODS })
  check_in_method!: CheckInMethod;

  @ApiProperty({ format: 'date-time' })
  checked_in_at!: string;

  @ApiProperty({ description: 'Whether they had registered.' })
  registered!: boolean;

  @ApiProperty()
  points_awarded!: number;

  @ApiProperty({ nullable: true, type: String })
  notes!: string | null;
}

export class AttendanceReportDto {
  @ApiProperty({ type: EventDto })
  event!: EventDto;

  @ApiProperty()
  registrations_count!: number;

  @ApiProperty()
  attendees_count!: number;

  @ApiProperty({ description: 'Attendees who had registered.' })
  registered_attendees_count!: number;

  @ApiProperty({ type: [AttendeeDto], description: 'In check-in order.' })
  attendees!: AttendeeDto[];
}

export class AttendedEventDto extends EventDto {
  @ApiProperty({ format: 'date-time' })
  attended_at!: string;

  @ApiProperty({ enum: CHECK_IN_METHODS })
  check_in_method!: CheckInMethod;

  @ApiProperty()
  points_awarded!: number;
}

export class AttendedEventPageDto {
  @ApiProperty({ type: [AttendedEventDto] })
  data!: AttendedEventDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}

export class AttendedEventQueryDto extends PageQueryDto {}
