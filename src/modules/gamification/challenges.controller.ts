import { Controller, Get, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentActor, Customer } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { IdempotencyInterceptor } from '../../common/idempotency/idempotency.decorators';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { Page, PageQueryDto } from '../../common/pagination/pagination';
import { ChallengesService } from './challenges.service';
import { LeaderboardDto, LeaderboardQueryDto } from './dto/leaderboard.dto';
import { MyChallengeDto, MyChallengePageDto } from './dto/challenge.dto';
import { LeaderboardsService } from './leaderboards.service';
import { UuidParam } from '../../common/http/openapi.decorators';

const NOT_FOUND = () => ApiNotFoundResponse({ description: 'No such challenge in my tenant (or it is hidden).' });

@ApiTags('customer app')
@Controller('api/challenges')
export class ChallengesController {
  constructor(
    private readonly challenges: ChallengesService,
    private readonly leaderboards: LeaderboardsService,
  ) {}

  @Get()
  @Customer()
  @ApiOperation({ summary: 'Challenges not over yet and those I took part in, soonest first, with my progress.' })
  @ApiOkResponse({ type: MyChallengePageDto })
  list(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<Page<MyChallengeDto>> {
    return this.challenges.mine(actor, query);
  }

  @Get(':id')
  @Customer()
  @ApiOperation({ summary: 'One challenge: my own progress and, for a community challenge, everyone’s total.' })
  @UuidParam()
  @ApiOkResponse({ type: MyChallengeDto })
  @NOT_FOUND()
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<MyChallengeDto> {
    return this.challenges.mineOne(actor, id);
  }

  @Post(':id/join')
  @Customer()
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({ summary: 'Join a challenge that has not ended; joining again changes nothing (200).' })
  @UuidParam()
  @ApiCreatedResponse({ type: MyChallengeDto, description: 'Joined.' })
  @ApiOkResponse({ type: MyChallengeDto, description: 'Already in it.' })
  @NOT_FOUND()
  @ApiUnprocessableEntityResponse({
    description: '`challenge_ended`; `challenge_completed` (a community goal already reached).',
  })
  join(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<IdempotentOutcome<MyChallengeDto>> {
    return this.challenges.join(actor, id);
  }

  @Get(':id/leaderboard')
  @Customer()
  @ApiOperation({ summary: 'The challenge’s participants by progress: the top `limit` and my own rank.' })
  @UuidParam()
  @ApiOkResponse({ type: LeaderboardDto })
  @NOT_FOUND()
  leaderboard(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: LeaderboardQueryDto,
  ): Promise<LeaderboardDto> {
    return this.leaderboards.challengeBoard(actor, id, query.limit);
  }
}
