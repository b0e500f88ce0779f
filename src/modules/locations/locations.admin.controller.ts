import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ApiKey, Caller, CurrentActor, CurrentCaller, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../common/idempotency/idempotency.decorators';
import type { IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { Page } from '../../common/pagination/pagination';
import { LocationAnalyticsDto, LocationAnalyticsQueryDto } from './dto/analytics.dto';
import { ImportLocationsDto, ImportResultDto } from './dto/import.dto';
import {
  CreateLocationDto,
  ListLocationsQueryDto,
  LocationDto,
  LocationListDto,
  UpdateLocationDto,
} from './dto/location.dto';
import { LocationAnalyticsService } from './location-analytics.service';
import { LocationsService } from './locations.service';
import { UuidParam } from '../../common/http/openapi.decorators';

const BAD_GEOMETRY = () =>
  ApiBadRequestResponse({
    description:
      'Invalid fields, named in `errors`: a GeoJSON of the wrong type, a position out of range or swapped, an unclosed ' +
      'ring, too many vertices, an invalid geometry (with PostGIS’s ST_IsValidReason), an area too large, a radius ' +
      'out of 10–5000 m, both a radius and a polygon. Nothing is written.',
  });

@ApiTags('locations')
@Controller('api/admin/locations')
export class LocationsAdminController {
  constructor(
    private readonly locations: LocationsService,
    private readonly analytics: LocationAnalyticsService,
  ) {}

  @Get()
  @Roles('admin')
  @ApiKey('locations:read')
  @ApiOperation({ summary: 'The tenant’s locations, oldest first.' })
  @ApiOkResponse({ type: LocationListDto })
  list(@CurrentActor() actor: Actor, @Query() query: ListLocationsQueryDto): Promise<Page<LocationDto>> {
    return this.locations.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Create a location with a radius or polygon geofence.' })
  @ApiCreatedResponse({ type: LocationDto })
  @BAD_GEOMETRY()
  @ApiConflictResponse({ description: '`external_id_taken`.' })
  @ApiUnprocessableEntityResponse({ description: '`quota_exceeded`: the plan’s location quota is reached.' })
  create(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CreateLocationDto,
  ): Promise<IdempotentOutcome<LocationDto>> {
    return this.locations.create(caller, request, body);
  }

  @Post('import')
  @Roles('admin')
  @Idempotent()
  @ApiOperation({
    summary: 'Import a GeoJSON FeatureCollection: each acceptable feature becomes a location.',
    description:
      'Answers how many were created and, for each refused feature, its index and the reasons. The plan’s location ' +
      'quota applies to the features accepted: over it, nothing is imported (422).',
  })
  @ApiCreatedResponse({ type: ImportResultDto })
  @ApiBadRequestResponse({
    description: 'Not a FeatureCollection, or more features than LOCATION_IMPORT_MAX_FEATURES.',
  })
  @ApiUnprocessableEntityResponse({ description: '`quota_exceeded`.' })
  import(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: ImportLocationsDto,
  ): Promise<IdempotentOutcome<ImportResultDto>> {
    return this.locations.import(caller, request, body);
  }

  @Get(':id')
  @Roles('admin')
  @ApiKey('locations:read')
  @ApiOperation({ summary: 'A location with its geofence.' })
  @UuidParam()
  @ApiOkResponse({ type: LocationDto })
  @ApiNotFoundResponse({ description: 'No live location with this id in the tenant.' })
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<LocationDto> {
    return this.locations.get(tenantIdOf(actor), id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a location: name, address, point, geofence (radius or polygon).' })
  @UuidParam()
  @ApiOkResponse({ type: LocationDto })
  @BAD_GEOMETRY()
  @ApiNotFoundResponse({ description: 'No live location with this id in the tenant.' })
  @ApiConflictResponse({ description: '`external_id_taken`.' })
  update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateLocationDto,
  ): Promise<LocationDto> {
    return this.locations.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a location. Its check-ins and their analytics are kept.' })
  @UuidParam()
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No live location with this id in the tenant.' })
  remove(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.locations.remove(caller, id);
  }

  @Get(':id/analytics')
  @Roles('admin')
  @ApiOperation({
    summary: 'Check-ins of a location per day and hour (tenant time zone), with the share verified.',
  })
  @UuidParam()
  @ApiOkResponse({ type: LocationAnalyticsDto })
  @ApiBadRequestResponse({ description: 'A bad date, `from` after `to`, or more than 366 days.' })
  @ApiNotFoundResponse({ description: 'No location (live or deleted) with this id in the tenant.' })
  analyticsOf(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: LocationAnalyticsQueryDto,
  ): Promise<LocationAnalyticsDto> {
    return this.analytics.byHour(tenantIdOf(actor), id, query);
  }
}
