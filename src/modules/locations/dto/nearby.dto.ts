import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { GeoJsonAreaDto, GeoJsonPointDto } from './location.dto';

export const NEARBY_MAX_RADIUS_M = 50_000;
export const NEARBY_DEFAULT_RADIUS_M = 5_000;

const finite = { allowNaN: false, allowInfinity: false } as const;

export class NearbyQueryDto {
  @ApiProperty({ minimum: -90, maximum: 90, example: 51.5072 })
  @Type(() => Number)
  @IsNumber(finite, { message: 'must be a number (latitude in degrees)' })
  @Min(-90, { message: 'must be a latitude from -90 to 90' })
  @Max(90, { message: 'must be a latitude from -90 to 90 (is it the longitude?)' })
  lat!: number;

  @ApiProperty({ minimum: -180, maximum: 180, example: -0.1276 })
  @Type(() => Number)
  @IsNumber(finite, { message: 'must be a number (longitude in degrees)' })
  @Min(-180, { message: 'must be a longitude from -180 to 180' })
  @Max(180, { message: 'must be a longitude from -180 to 180' })
  lon!: number;

  @ApiPropertyOptional({ minimum: 1, maximum: NEARBY_MAX_RADIUS_M, default: NEARBY_DEFAULT_RADIUS_M })
  @Type(() => Number)
  @IsNumber(finite)
  @Min(1)
  @Max(NEARBY_MAX_RADIUS_M)
  radius_m: number = NEARBY_DEFAULT_RADIUS_M;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;
}

export class NearbyLocationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  address!: string | null;

  @ApiProperty({ type: GeoJsonPointDto })
  coordinates!: object;

  @ApiProperty({ description: 'Metres from the point asked about to the location’s point.' })
  distance_m!: number;

  @ApiProperty({ enum: ['radius', 'polygon'] })
  geofence_type!: 'radius' | 'polygon';

  @ApiProperty({ type: Number, nullable: true })
  radius_m!: number | null;

  @ApiProperty({ type: GeoJsonAreaDto, nullable: true })
  geofence!: object | null;
}

export class NearbyListDto {
  @ApiProperty({ type: [NearbyLocationDto], description: 'Nearest first.' })
  data!: NearbyLocationDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: the nearest `limit` are the answer.' })
  next_cursor!: null;
}
