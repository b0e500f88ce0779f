import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ApiKey, Caller, CurrentActor, CurrentCaller, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../common/idempotency/idempotency.decorators';
import type { IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { Page } from '../../common/pagination/pagination';
import { CancelDto, FulfilDto, RedemptionDto, RedemptionListQueryDto, RedemptionPageDto } from './dto/redemption.dto';
import { RedemptionsService } from './redemptions.service';
import { UuidParam } from '../../common/http/openapi.decorators';

const CLOSED = () =>
  ApiConflictResponse({
    description:
      'The voucher is no longer pending: `voucher_already_fulfilled`, `voucher_cancelled`, `voucher_expired`.',
  });

@ApiTags('admin')
@Controller('api/admin/redemptions')
export class RedemptionsAdminController {
  constructor(private readonly redemptions: RedemptionsService) {}

  @Get()
  @Roles('staff')
  @ApiOperation({ summary: 'Redemptions, newest first; `?status=&reward_id=&customer_id=` filter.' })
  @ApiOkResponse({ type: RedemptionPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: RedemptionListQueryDto): Promise<Page<RedemptionDto>> {
    return this.redemptions.list(tenantIdOf(actor), query);
  }

  @Post(':code/fulfil')
  @Roles('staff')
  @ApiKey('redemptions:write')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({ summary: 'Hand a reward over against its voucher code (optionally at a location).' })
  @ApiParam({
    name: 'code',
    example: '7K3M-PQ2R-T9VX',
    description: 'As printed or typed: case and dashes do not matter.',
  })
  @ApiOkResponse({ type: RedemptionDto })
  @ApiBadRequestResponse({ description: '`code` mistyped (its check symbol does not match); `location_id` unknown.' })
  @ApiNotFoundResponse({ description: 'No voucher with this code in the tenant.' })
  @CLOSED()
  @ApiUnprocessableEntityResponse({
    description: '`location_restricted`: the reward is handed over only at its locations, and this is not one.',
  })
  fulfil(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Param('code') code: string,
    @Body() body: FulfilDto,
  ): Promise<IdempotentOutcome<RedemptionDto>> {
    return this.redemptions.fulfil(caller, request, code, body);
  }

  @Post(':id/cancel')
  @Roles('staff')
  @ApiKey('redemptions:write')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a pending voucher: its points go back with their original expiry, its unit back into stock.',
  })
  @UuidParam()
  @ApiOkResponse({ type: RedemptionDto })
  @ApiNotFoundResponse({ description: 'No redemption with this id in the tenant.' })
  @CLOSED()
  cancel(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Param('id') id: string,
    @Body() body: CancelDto,
  ): Promise<IdempotentOutcome<RedemptionDto>> {
    return this.redemptions.cancel(caller, request, id, body);
  }
}
