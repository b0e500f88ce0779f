import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
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
import { CreateRewardDto, RewardDto, RewardListQueryDto, RewardPageDto, UpdateRewardDto } from './dto/reward.dto';
import { RewardsService } from './rewards.service';
import { UuidParam } from '../../common/http/openapi.decorators';

const NOT_FOUND = () =>
  ApiNotFoundResponse({ description: 'No reward with this id in the tenant (or it was deleted).' });
const BAD_REWARD = () =>
  ApiBadRequestResponse({
    description:
      'Invalid fields, each named: `end_date` not after `start_date`, `min_tier_id` not a tier of the default ' +
      'program, `location_ids[i]` not a location of the tenant, ...',
  });

@ApiTags('admin')
@Controller('api/admin/rewards')
export class RewardsAdminController {
  constructor(private readonly rewards: RewardsService) {}

  @Get()
  @Roles('admin')
  @ApiKey('rewards:read')
  @ApiOperation({ summary: 'The rewards catalog, newest first; `?active=&category=` filter.' })
  @ApiOkResponse({ type: RewardPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: RewardListQueryDto): Promise<Page<RewardDto>> {
    return this.rewards.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Add a reward to the catalog, paid with the default program’s points.' })
  @ApiCreatedResponse({ type: RewardDto })
  @BAD_REWARD()
  @ApiUnprocessableEntityResponse({ description: '`no_default_program`; `idempotency_key_reused`.' })
  create(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CreateRewardDto,
  ): Promise<IdempotentOutcome<RewardDto>> {
    return this.rewards.create(caller, request, body);
  }

  @Get(':id')
  @Roles('admin')
  @ApiKey('rewards:read')
  @ApiOperation({ summary: 'One reward, with the stock left.' })
  @UuidParam()
  @ApiOkResponse({ type: RewardDto })
  @NOT_FOUND()
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<RewardDto> {
    return this.rewards.get(tenantIdOf(actor), id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a reward; fields left out keep their value, null clears a nullable one.' })
  @UuidParam()
  @ApiOkResponse({ type: RewardDto })
  @BAD_REWARD()
  @NOT_FOUND()
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() body: UpdateRewardDto): Promise<RewardDto> {
    return this.rewards.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a reward from the catalog for good; its pending vouchers can still be fulfilled or cancelled.',
  })
  @UuidParam()
  @ApiNoContentResponse({ description: 'Deleted.' })
  @NOT_FOUND()
  remove(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.rewards.remove(caller, id);
  }
}
