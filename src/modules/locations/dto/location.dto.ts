import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsNumber, IsObject, IsString, Length, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { MAX_GEOFENCE_VERTICES } from '../geojson';
import { ADDRESS_MAX, DEFAULT_RADIUS_M, EXTERNAL_ID_MAX, NAME_MAX, RADIUS_LIMITS_M } from '../location-input';
import { NotNullIfPresent, NullableIfPresent } from '../../../common/errors/validation';

const finite = { allowNaN: false, allowInfinity: false } as const;

/** Documentation of a GeoJSON Point; checked by checkPoint (geojson.ts). */
export class GeoJsonPointDto {
  @ApiProperty({ enum: ['Point'] })
  type!: 'Point';

  @ApiProperty({
    type: [Number],
    minItems: 2,
    maxItems: 3,
    example: [-0.1276, 51.5072],
    description: '[longitude, latitude] in WGS 84 (longitude first, as GeoJSON orders them).',
  })
  coordinates!: number[];
}

/** Documentation of a GeoJSON Polygon or MultiPolygon; checked by checkArea (geojson.ts) and PostGIS. */
export class GeoJsonAreaDto {
  @ApiProperty({ enum: ['Polygon', 'MultiPolygon'] })
  type!: 'Polygon' | 'MultiPolygon';

  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: {} },
    example: [
      [
        [-0.128, 51.507],
        [-0.127, 51.507],
        [-0.127, 51.508],
        [-0.128, 51.508],
        [-0.128, 51.507],
      ],
    ],
    description:
      'Polygon: linear rings (outer, then holes), each closed (last position = first). MultiPolygon: an array of ' +
      `those. At most ${MAX_GEOFENCE_VERTICES} vertices in all; a valid geometry (no self-intersection) of at most ` +
      'LOCATION_MAX_AREA_KM2.',
  })
  coordinates!: unknown[];
}

const DESCRIPTIONS = {
  coordinates: 'The location’s point (a GeoJSON Point). With a polygon geofence it must lie within 5 km of it.',
  geofence:
    'A GeoJSON Polygon or MultiPolygon: check-ins must fall inside it. Give this or radius_m, not both; on PATCH, ' +
    `null switches back to a radius (radius_m, or ${DEFAULT_RADIUS_M} m).`,
  radius_m: `A circular geofence around the point, ${RADIUS_LIMITS_M.min}–${RADIUS_LIMITS_M.max} m (default ${DEFAULT_RADIUS_M} m when no geofence is given).`,
  external_id: 'Your own id for the place; unique among the tenant’s locations.',
} as const;

export class CreateLocationDto {
  @ApiProperty({ minLength: 1, maxLength: NAME_MAX, example: 'Covent Garden store' })
  @IsString()
  @Length(1, NAME_MAX)
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: ADDRESS_MAX, example: '1 Long Acre, London' })
  @NullableIfPresent()
  @IsString()
  @Length(1, ADDRESS_MAX)
  address?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: EXTERNAL_ID_MAX,
    description: DESCRIPTIONS.external_id,
  })
  @NullableIfPresent()
  @IsString()
  @Length(1, EXTERNAL_ID_MAX)
  external_id?: string | null;

  @ApiProperty({ type: GeoJsonPointDto, description: DESCRIPTIONS.coordinates })
  @IsDefined()
  @IsObject({ message: 'must be a GeoJSON Point object' })
  coordinates!: Record<string, unknown>;

  @ApiPropertyOptional({ type: GeoJsonAreaDto, nullable: true, description: DESCRIPTIONS.geofence })
  @NullableIfPresent()
  @IsObject({ message: 'must be a GeoJSON Polygon or MultiPolygon object' })
  geofence?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: RADIUS_LIMITS_M.min,
    maximum: RADIUS_LIMITS_M.max,
    description: DESCRIPTIONS.radius_m,
  })
  @NullableIfPresent()
  @IsNumber(finite)
  @Min(RADIUS_LIMITS_M.min)
  @Max(RADIUS_LIMITS_M.max)
  radius_m?: number | null;
}

export class UpdateLocationDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: NAME_MAX })
  @NotNullIfPresent()
  @IsString()
  @Length(1, NAME_MAX)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: ADDRESS_MAX })
  @NullableIfPresent()
  @IsString()
  @Length(1, ADDRESS_MAX)
  address?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: EXTERNAL_ID_MAX,
    description: DESCRIPTIONS.external_id,
  })
  @NullableIfPresent()
  @IsString()
  @Length(1, EXTERNAL_ID_MAX)
  external_id?: string | null;

  @ApiPropertyOptional({ type: GeoJsonPointDto, description: DESCRIPTIONS.coordinates })
  @NotNullIfPresent()
  @IsObject({ message: 'must be a GeoJSON Point object' })
  coordinates?: Record<string, unknown>;

  @ApiPropertyOptional({ type: GeoJsonAreaDto, nullable: true, description: DESCRIPTIONS.geofence })
  @NullableIfPresent()
  @IsObject({ message: 'must be a GeoJSON Polygon or MultiPolygon object' })
  geofence?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: Number,
    minimum: RADIUS_LIMITS_M.min,
    maximum: RADIUS_LIMITS_M.max,
    description: `${DESCRIPTIONS.radius_m} Giving it replaces a polygon geofence.`,
  })
  @NotNullIfPresent()
  @IsNumber(finite)
  @Min(RADIUS_LIMITS_M.min)
  @Max(RADIUS_LIMITS_M.max)
  radius_m?: number;
}

export class ListLocationsQueryDto extends PageQueryDto {}

export class LocationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  address!: string | null;

  @ApiProperty({ type: String, nullable: true })
  external_id!: string | null;

  @ApiProperty({ type: GeoJsonPointDto })
  coordinates!: object;

  @ApiProperty({ enum: ['radius', 'polygon'], description: 'Which kind of geofence the location has.' })
  geofence_type!: 'radius' | 'polygon';

  @ApiProperty({ type: Number, nullable: true, description: 'Metres, for a radius geofence.' })
  radius_m!: number | null;

  @ApiProperty({ type: GeoJsonAreaDto, nullable: true, description: 'For a polygon geofence.' })
  geofence!: object | null;

  @ApiProperty({ description: 'Area of the geofence in m² (π r² for a radius).' })
  area_m2!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class LocationListDto {
  @ApiProperty({ type: [LocationDto] })
  data!: LocationDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}
