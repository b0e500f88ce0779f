import { Body, Controller, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Customer, StandingCheckedInTransaction } from '../../common/auth/access.decorators';
import { Idempotent, IdempotentRequestOf } from '../../common/idempotency/idempotency.decorators';
import type { IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { CheckinsService } from './checkins.service';
import { CheckinDto, CheckinResultDto } from './dto/checkin.dto';

@ApiTags('locations')
@Controller('api/checkin')
export class CheckinsController {
  constructor(private readonly checkins: CheckinsService) {}

  @Post()
  @Customer()
  @StandingCheckedInTransaction()
  @Idempotent()
  @ApiOperation({
    summary: 'Check in at a location; verified on the server, and only a verified check-in earns.',
    description:
      'Verified when the point is inside the geofence (a polygon contains it, or it is within the radius plus the ' +
      'reported accuracy), the accuracy is no worse than CHECKIN_MAX_ACCURACY_M, the location’s cooldown has passed, ' +
      'the daily limit is not reached and the trip from the previous verified check-in was possible. Otherwise ' +
      '`reasons` says why: outside_geofence, accuracy_too_low, cooldown, daily_limit, impossible_travel, ' +
      'no_location_found (also for an unknown or deleted location_id). Every attempt is recorded; 201 either way.',
  })
  @ApiCreatedResponse({ type: CheckinResultDto })
  @ApiBadRequestResponse({ description: 'Latitude or longitude missing, not a number or out of range; bad fields.' })
  @ApiNotFoundResponse({ description: 'The caller has no customer record in the tenant.' })
  checkIn(
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CheckinDto,
  ): Promise<IdempotentOutcome<CheckinResultDto>> {
    return this.checkins.checkIn(request, body);
  }
}
