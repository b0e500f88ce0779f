import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
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
import { ContentService } from './content.service';
import {
  AccessLevelDto,
  AccessLevelPageDto,
  ContentDto,
  ContentPageDto,
  CreateAccessLevelDto,
  CreateContentDto,
  UpdateContentDto,
} from './dto/content.dto';
import { NotFoundIn, UuidParam } from '../../common/http/openapi.decorators';

const BAD_CONTENT = () =>
  ApiBadRequestResponse({
    description: 'Invalid fields, each named: neither `body` nor `url`, `required_level_id` not a level of the tenant.',
  });

@ApiTags('admin')
@Controller('api/admin')
export class ContentAdminController {
  constructor(private readonly content: ContentService) {}

  @Get('access-levels')
  @Roles('admin')
  @ApiOperation({ summary: 'Access levels and the tiers they are mapped from.' })
  @ApiOkResponse({ type: AccessLevelPageDto })
  levels(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<Page<AccessLevelDto>> {
    return this.content.levels(tenantIdOf(actor), query);
  }

  @Post('access-levels')
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Create an access level, held from a tier upwards (or by everyone).' })
  @ApiCreatedResponse({ type: AccessLevelDto })
  @ApiBadRequestResponse({ description: '`tier_id` is not a tier of the tenant.' })
  @ApiConflictResponse({ description: '`access_level_exists`: the name is taken.' })
  createLevel(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CreateAccessLevelDto,
  ): Promise<IdempotentOutcome<AccessLevelDto>> {
    return this.content.createLevel(caller, request, body);
  }

  @Get('content')
  @Roles('admin')
  @ApiOperation({ summary: 'All exclusive content, newest first, published or not.' })
  @ApiOkResponse({ type: ContentPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<Page<ContentDto>> {
    return this.content.list(tenantIdOf(actor), query);
  }

  @Post('content')
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Publish exclusive content, gated by an access level.' })
  @ApiCreatedResponse({ type: ContentDto })
  @BAD_CONTENT()
  create(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CreateContentDto,
  ): Promise<IdempotentOutcome<ContentDto>> {
    return this.content.create(caller, request, body);
  }

  @Get('content/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'One content item.' })
  @UuidParam()
  @ApiOkResponse({ type: ContentDto })
  @NotFoundIn('content')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ContentDto> {
    return this.content.get(tenantIdOf(actor), id);
  }

  @Patch('content/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a content item; null clears body, url or the required level.' })
  @UuidParam()
  @ApiOkResponse({ type: ContentDto })
  @BAD_CONTENT()
  @NotFoundIn('content')
  update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateContentDto,
  ): Promise<ContentDto> {
    return this.content.update(caller, id, body);
  }

  @Delete('content/:id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a content item.' })
  @UuidParam()
  @ApiNoContentResponse({ description: 'Deleted.' })
  @NotFoundIn('content')
  remove(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.content.remove(caller, id);
  }
}
