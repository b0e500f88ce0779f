import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, ArrayMinSize, IsArray, IsIn } from 'class-validator';

export class ImportLocationsDto {
  @ApiProperty({ enum: ['FeatureCollection'] })
  @IsIn(['FeatureCollection'], { message: 'must be "FeatureCollection"' })
  type!: 'FeatureCollection';

  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description:
      'GeoJSON Features. A Point feature is a location with a radius geofence (`properties.radius_m`, default 100 m); ' +
      'a Polygon or MultiPolygon feature is a location whose geofence is that shape (its point: ' +
      '`properties.coordinates`, a GeoJSON Point, or else a point on the shape’s surface). `properties.name` is ' +
      'required, `properties.address` optional; the feature’s `id` becomes the location’s external_id. At most ' +
      'LOCATION_IMPORT_MAX_FEATURES features.',
  })
  @IsArray()
  @ArrayMinSize(1)
  features!: unknown[];

  @ApiPropertyOptional({ description: 'Accepted and ignored, as GIS tools write it.' })
  @Allow()
  name?: unknown;

  @ApiPropertyOptional({ description: 'Accepted and ignored; positions are always WGS 84 (RFC 7946).' })
  @Allow()
  crs?: unknown;

  @ApiPropertyOptional({ type: [Number], description: 'Accepted and ignored.' })
  @Allow()
  bbox?: unknown;
}

export class ImportFieldErrorDto {
  @ApiProperty({ example: 'features[3].geometry.coordinates[0]' })
  field!: string;

  @ApiProperty({ example: 'the ring is not closed: its last position must repeat its first' })
  message!: string;
}

export class ImportRejectDto {
  @ApiProperty({ description: 'Position of the feature in `features`, from 0.' })
  index!: number;

  @ApiProperty({ type: String, nullable: true, description: 'The feature’s `id`, when it had one.' })
  id!: string | null;

  @ApiProperty({ description: 'Why the feature was not imported, in one line.' })
  reason!: string;

  @ApiProperty({ type: [ImportFieldErrorDto] })
  errors!: ImportFieldErrorDto[];
}

export class ImportResultDto {
  @ApiProperty({ description: 'Locations created.' })
  created!: number;

  @ApiProperty({ description: 'Features refused.' })
  rejected!: number;

  @ApiProperty({ type: [String], description: 'Ids of the locations created, in the order of their features.' })
  location_ids!: string[];

  @ApiProperty({ type: [ImportRejectDto] })
  rejects!: ImportRejectDto[];
}
