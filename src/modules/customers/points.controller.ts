import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Customer } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { Page } from '../../common/pagination/pagination';
import { CustomerPointsService } from './customer-points.service';
import { LedgerEntryDto, LedgerPageDto, LedgerQueryDto } from './dto/customer.dto';
import { BalanceDto, TierListDto, TierProgressDto } from './dto/profile.dto';

@ApiTags('customer app')
@Controller('api')
export class PointsController {
  constructor(private readonly points: CustomerPointsService) {}

  @Get('points/balance')
  @Customer()
  @ApiOperation({ summary: 'My balance, tier, distance to the next tier and points expiring soon.' })
  @ApiOkResponse({ type: BalanceDto })
  balance(@CurrentActor() actor: Actor): Promise<BalanceDto> {
    return this.points.balance(actor);
  }

  @Get('points/history')
  @Customer()
  @ApiOperation({ summary: 'My points ledger, newest first.' })
  @ApiOkResponse({ type: LedgerPageDto })
  history(@CurrentActor() actor: Actor, @Query() query: LedgerQueryDto): Promise<Page<LedgerEntryDto>> {
    return this.points.history(actor, query);
  }

  @Get('tiers')
  @Customer()
  @ApiOperation({ summary: 'The default program’s tiers, lowest first, with thresholds and benefits.' })
  @ApiOkResponse({ type: TierListDto })
  tiers(@CurrentActor() actor: Actor): Promise<TierListDto> {
    return this.points.tiers(actor);
  }

  @Get('tiers/current')
  @Customer()
  @ApiOperation({ summary: 'My tier, the next one and my progress towards it.' })
  @ApiOkResponse({ type: TierProgressDto })
  currentTier(@CurrentActor() actor: Actor): Promise<TierProgressDto> {
    return this.points.currentTier(actor);
  }
}
