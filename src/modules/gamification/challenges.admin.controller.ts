import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Caller, CurrentActor, CurrentCaller, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../common/idempotency/idempotency.decorators';
import type { IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { Page, PageQueryDto } from '../../common/pagination/pagination';
import { ChallengesService } from './challenges.service';
import { ChallengeDto, ChallengePageDto, CreateChallengeDto, UpdateChallengeDto } from './dto/challenge.dto';
import { NotFoundIn, UuidParam } from '../../common/http/openapi.decorators';

const BAD_CHALLENGE = () =>
  ApiBadRequestResponse({
    description:
      'Invalid fields, each named: `goal.count` below 1, `goal.activity_type` unknown or challenge_completed, ' +
      '`ends_at` not after `starts_at`, ...',
  });

@ApiTags('admin')
@Controller('api/admin/challenges')
export class ChallengesAdminController {
  constructor(private readonly challenges: ChallengesService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Challenges, newest first, with participants and community progress.' })
  @ApiOkResponse({ type: ChallengePageDto })
  list(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<Page<ChallengeDto>> {
    return this.challenges.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Create a time-boxed personal or community challenge.' })
  @ApiCreatedResponse({ type: ChallengeDto })
  @BAD_CHALLENGE()
  create(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CreateChallengeDto,
  ): Promise<IdempotentOutcome<ChallengeDto>> {
    return this.challenges.create(caller, request, body);
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'One challenge.' })
  @UuidParam()
  @ApiOkResponse({ type: ChallengeDto })
  @NotFoundIn('challenge')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ChallengeDto> {
    return this.challenges.get(tenantIdOf(actor), id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a challenge: its window, points, visibility; kind and goal only before it starts.' })
  @UuidParam()
  @ApiOkResponse({ type: ChallengeDto })
  @BAD_CHALLENGE()
  @NotFoundIn('challenge')
  @ApiUnprocessableEntityResponse({ description: '`challenge_started`: the kind or goal of a started challenge.' })
  update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateChallengeDto,
  ): Promise<ChallengeDto> {
    return this.challenges.update(caller, id, body);
  }
}
