import { Body, Controller, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiKey, Roles } from '../../../common/auth/access.decorators';
import { Idempotent, IdempotentRequestOf } from '../../../common/idempotency/idempotency.decorators';
import { IdempotentRequest } from '../../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../../common/idempotency/idempotent-outcome';
import { ActivitiesService } from './activities.service';
import { ActivityResultDto, DryRunQueryDto, RecordActivityDto } from './dto/record-activity.dto';

@ApiTags('loyalty')
@Controller('api/activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Post()
  @ApiKey('activities:write')
  @Roles('admin')
  @Idempotent()
  @ApiCreatedResponse({
    type: ActivityResultDto,
    description: 'Recorded (201), or evaluated only with ?dry_run=true (200).',
  })
  @ApiOkResponse({ type: ActivityResultDto, description: 'Dry run: what the activity would earn; nothing written.' })
  record(
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: RecordActivityDto,
    @Query() query: DryRunQueryDto,
  ): Promise<IdempotentOutcome<ActivityResultDto>> {
    return this.activities.record(request, body, query.dry_run === 'true');
  }
}
