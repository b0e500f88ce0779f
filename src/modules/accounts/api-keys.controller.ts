import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Caller, CurrentActor, CurrentCaller, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { Page, PageQueryDto } from '../../common/pagination/pagination';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, ApiKeyPageDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { UuidParam } from '../../common/http/openapi.decorators';

@ApiTags('admin')
@Controller('api/admin/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: "The tenant's API keys, newest first (never their secrets)." })
  @ApiOkResponse({ type: ApiKeyPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<Page<ApiKeyDto>> {
    return this.apiKeys.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create an API key; its secret is in this response and never again.' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(@CurrentCaller() caller: Caller, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(caller, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key at once. Revoking a revoked key succeeds and changes nothing.' })
  @UuidParam()
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiNotFoundResponse({ description: 'No such key in this tenant.' })
  revoke(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.apiKeys.revoke(caller, id);
  }
}
