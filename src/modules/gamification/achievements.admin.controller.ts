import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Caller, CurrentActor, CurrentCaller, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../common/idempotency/idempotency.decorators';
import type { IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { Page, PageQueryDto } from '../../common/pagination/pagination';
import { AchievementsService } from './achievements.service';
import { AchievementDto, AchievementPageDto, CreateAchievementDto, UpdateAchievementDto } from './dto/achievement.dto';
import { NotFoundIn, UuidParam } from '../../common/http/openapi.decorators';

const BAD_CRITERIA = () =>
  ApiBadRequestResponse({
    description:
      'Invalid fields, each named; criteria that could never be met are refused: `criteria.activity_type` not a ' +
      'known type, `criteria.count` below 1, `criteria.tier_id` not a tier of the tenant, ...',
  });

@ApiTags('admin')
@Controller('api/admin/achievements')
export class AchievementsAdminController {
  constructor(private readonly achievements: AchievementsService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Achievements, oldest first, with how many customers unlocked each.' })
  @ApiOkResponse({ type: AchievementPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<Page<AchievementDto>> {
    return this.achievements.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Create a criteria-based badge, optionally worth points on unlock.' })
  @ApiCreatedResponse({ type: AchievementDto })
  @BAD_CRITERIA()
  create(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CreateAchievementDto,
  ): Promise<IdempotentOutcome<AchievementDto>> {
    return this.achievements.create(caller, request, body);
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'One achievement.' })
  @UuidParam()
  @ApiOkResponse({ type: AchievementDto })
  @NotFoundIn('achievement')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AchievementDto> {
    return this.achievements.get(tenantIdOf(actor), id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change an achievement; badges already unlocked stay unlocked.' })
  @UuidParam()
  @ApiOkResponse({ type: AchievementDto })
  @BAD_CRITERIA()
  @NotFoundIn('achievement')
  update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateAchievementDto,
  ): Promise<AchievementDto> {
    return this.achievements.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Retire an achievement: no longer shown or unlocked; who earned it is kept.' })
  @UuidParam()
  @ApiNoContentResponse({ description: 'Retired.' })
  @NotFoundIn('achievement')
  remove(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.achievements.remove(caller, id);
  }
}
