import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentActor, Customer, StandingCheckedInTransaction } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../common/idempotency/idempotency.decorators';
import type { IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { Page } from '../../common/pagination/pagination';
import { CatalogEntryQueryDto, CatalogPageDto, CatalogQueryDto, CatalogRewardDto } from './dto/catalog.dto';
import {
  MyRedemptionDto,
  MyRedemptionPageDto,
  MyRedemptionsQueryDto,
  RedeemDto,
  RedeemResultDto,
} from './dto/redemption.dto';
import { RedemptionsService } from './redemptions.service';
import { RewardsService } from './rewards.service';
import { UuidParam } from '../../common/http/openapi.decorators';

@ApiTags('customer app')
@Controller('api')
export class RewardsController {
  constructor(
    private readonly rewards: RewardsService,
    private readonly redemptions: RedemptionsService,
  ) {}

  @Get('rewards')
  @Customer()
  @ApiOperation({
    summary: 'The rewards catalog, cheapest first, each with `eligible` and, when not, the `reason` for me.',
  })
  @ApiOkResponse({ type: CatalogPageDto })
  catalog(@CurrentActor() actor: Actor, @Query() query: CatalogQueryDto): Promise<Page<CatalogRewardDto>> {
    return this.rewards.catalog(actor, query);
  }

  @Get('rewards/:id')
  @Customer()
  @ApiOperation({ summary: 'One reward with `eligible` and `reason` for me (`?location_id=` where I am).' })
  @UuidParam()
  @ApiOkResponse({ type: CatalogRewardDto })
  @ApiNotFoundResponse({ description: 'No such reward in my tenant.' })
  get(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: CatalogEntryQueryDto,
  ): Promise<CatalogRewardDto> {
    return this.rewards.catalogEntry(actor, id, query.location_id ?? null);
  }

  @Post('rewards/:id/redeem')
  @Customer()
  @StandingCheckedInTransaction()
  @Idempotent()
  @ApiOperation({
    summary: 'Redeem a reward: points taken (those expiring first), one unit of stock taken, a voucher issued.',
  })
  @UuidParam()
  @ApiCreatedResponse({ type: RedeemResultDto })
  @ApiNotFoundResponse({ description: 'No such reward in my tenant.' })
  @ApiUnprocessableEntityResponse({
    description:
      '`insufficient_points`; `out_of_stock`; `limit_reached` (the per-customer limit); `not_eligible` with ' +
      '`reason`: `inactive`, `not_yet_available`, `expired`, `tier_required` or `location_restricted`; ' +
      '`idempotency_key_reused`. Nothing is taken.',
  })
  redeem(
    @IdempotentRequestOf() request: IdempotentRequest,
    @Param('id') id: string,
    @Body() body: RedeemDto,
  ): Promise<IdempotentOutcome<RedeemResultDto>> {
    return this.redemptions.redeem(request, id, body);
  }

  @Get('redemptions')
  @Customer()
  @ApiOperation({ summary: 'My redemptions and their vouchers, newest first; `?status=` filter.' })
  @ApiOkResponse({ type: MyRedemptionPageDto })
  mine(@CurrentActor() actor: Actor, @Query() query: MyRedemptionsQueryDto): Promise<Page<MyRedemptionDto>> {
    return this.redemptions.mine(actor, query);
  }
}
