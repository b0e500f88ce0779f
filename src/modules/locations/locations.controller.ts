import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Customer, CurrentActor } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { NearbyListDto, NearbyQueryDto } from './dto/nearby.dto';
import { LocationsService } from './locations.service';

@ApiTags('locations')
@Controller('api/locations')
export class LocationsController {
  constructor(private readonly locations: LocationsService) {}

  @Get('nearby')
  @Customer()
  @ApiOperation({ summary: 'The nearest locations within radius_m of a point, nearest first, with distance_m.' })
  @ApiOkResponse({ type: NearbyListDto })
  nearby(@CurrentActor() actor: Actor, @Query() query: NearbyQueryDto): Promise<NearbyListDto> {
    return this.locations.nearby(actor, query);
  }
}
