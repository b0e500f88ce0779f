import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsNumber, IsOptional, IsString, IsUUID, Length, Max, Min, ValidateNested } from 'class-validator';
import { CHECKIN_REASONS, CheckinReason } from '../checkin-verdict';

const finite = { allowNaN: false, allowInfinity: false } as const;

export class CheckinDeviceDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'A stable id of the device or app install.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  id?: string;

  @ApiPropertyOptional({ maxLength: 40, example: 'ios' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  platform?: string;

  @ApiPropertyOptional({ maxLength: 40, example: '17.5' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  os_version?: string;

  @ApiPropertyOptional({ maxLength: 40, example: '3.2.0' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  app_version?: string;

  @ApiPropertyOptional({ maxLength: 100, example: 'iPhone15,2' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  model?: string;

  @ApiPropertyOptional({
    description: 'The OS reported the position as coming from a mock provider (kept for review).',
  })
  @IsOptional()
  @IsBoolean()
  mock_location?: boolean;
}

export class CheckinDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The location checked in at. Without it, the location whose geofence contains the point is found.',
  })
  @IsOptional()
  @IsUUID('all')
  location_id?: string;

  @ApiProperty({ minimum: -90, maximum: 90, example: 51.5072 })
  @IsNumber(finite, { message: 'must be a number (latitude in degrees)' })
  @Min(-90, { message: 'must be a latitude from -90 to 90' })
  @Max(90, { message: 'must be a latitude from -90 to 90 (is it the longitude?)' })
  lat!: number;

  @ApiProperty({ minimum: -180, maximum: 180, example: -0.1276 })
  @IsNumber(finite, { message: 'must be a number (longitude in degrees)' })
  @Min(-180, { message: 'must be a longitude from -180 to 180' })
  @Max(180, { message: 'must be a longitude from -180 to 180' })
  lon!: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 100_000,
    example: 12,
    description:
      'The accuracy radius the device reported, in metres. Above CHECKIN_MAX_ACCURACY_M the check-in is not ' +
      'verified (accuracy_too_low); up to it, it is the tolerance granted outside a radius geofence.',
  })
  @IsOptional()
  @IsNumber(finite)
  @Min(0)
  @Max(100_000)
  accuracy_m?: number;

  @ApiPropertyOptional({ type: CheckinDeviceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CheckinDeviceDto)
  device?: CheckinDeviceDto;
}

export class CheckinLocationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'Metres from the check-in to the location’s point.' })
  distance_m!: number;
}

export class CheckinResultDto {
  @ApiProperty({ format: 'uuid' })
  checkin_id!: string;

  @ApiProperty()
  verified!: boolean;

  @ApiProperty({ enum: CHECKIN_REASONS, isArray: true, description: 'Why it was not verified; empty when verified.' })
  reasons!: CheckinReason[];

  @ApiProperty({ type: CheckinLocationDto, nullable: true })
  location!: CheckinLocationDto | null;

  @ApiProperty({ description: 'Points earned by the check_in rules (0 unless verified).' })
  points_awarded!: number;

  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;
}
