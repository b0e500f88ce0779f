import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Customer } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { LeaderboardDto, LeaderboardQueryDto } from './dto/leaderboard.dto';
import { LEADERBOARD_PERIODS, parsePeriod } from './leaderboard-keys';
import { LeaderboardsService } from './leaderboards.service';

@ApiTags('customer app')
@Controller('api/leaderboards')
export class LeaderboardsController {
  constructor(private readonly leaderboards: LeaderboardsService) {}

  @Get(':period')
  @Customer()
  @ApiOperation({
    summary:
      'Points earned this week, this month (the tenant’s local ones) or all time: the top `limit` and my own rank.',
  })
  @ApiParam({ name: 'period', enum: LEADERBOARD_PERIODS, description: '`all_time` is accepted for all-time.' })
  @ApiOkResponse({ type: LeaderboardDto })
  @ApiBadRequestResponse({ description: '`period` is not weekly, monthly or all-time.' })
  board(
    @CurrentActor() actor: Actor,
    @Param('period') period: string,
    @Query() query: LeaderboardQueryDto,
  ): Promise<LeaderboardDto> {
    const known = parsePeriod(period);
    if (!known) {
      throw new ValidationFailedError([
        { field: 'period', message: `must be one of ${LEADERBOARD_PERIODS.join(', ')}` },
      ]);
    }
    return this.leaderboards.periodBoard(actor, known, query.limit);
  }
}
