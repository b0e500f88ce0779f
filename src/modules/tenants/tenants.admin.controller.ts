import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentActor, CurrentCaller, Roles, SuperAdmin } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { Page } from '../../common/pagination/pagination';
import { TenantProvisioningService } from './tenant-provisioning.service';
import { TenantsService } from './tenants.service';
import {
  ProvisionedTenantDto,
  ProvisionTenantDto,
  TenantDetailsDto,
  TenantDto,
  TenantListQueryDto,
  TenantPageDto,
  TenantSummaryDto,
  UpdateTenantDto,
} from './dto/tenant.dto';

@ApiTags('platform')
@Controller('api/admin/tenants')
export class TenantsAdminController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly provisioning: TenantProvisioningService,
  ) {}

  @Get()
  @SuperAdmin()
  @ApiOkResponse({ type: TenantPageDto })
  list(@Query() query: TenantListQueryDto): Promise<Page<TenantSummaryDto>> {
    return this.tenants.list(query);
  }

  @Post()
  @SuperAdmin()
  @ApiCreatedResponse({ type: ProvisionedTenantDto })
  provision(@CurrentCaller() caller: Caller, @Body() body: ProvisionTenantDto): Promise<ProvisionedTenantDto> {
    return this.provisioning.provision(caller, body);
  }

  @Get(':id')
  @SuperAdmin()
  @Roles('owner')
  @ApiOkResponse({ type: TenantDetailsDto })
  details(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<TenantDetailsDto> {
    return this.tenants.details(actor, id);
  }

  @Patch(':id')
  @SuperAdmin()
  @ApiOkResponse({ type: TenantDto })
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() body: UpdateTenantDto): Promise<TenantDto> {
    return this.tenants.update(caller, id, body);
  }

  @Post(':id/suspend')
  @SuperAdmin()
  @HttpCode(200)
  @ApiOkResponse({ type: TenantDto, description: 'Every credential of the tenant answers 403 tenant_suspended.' })
  suspend(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<TenantDto> {
    return this.tenants.setStatus(caller, id, 'suspended');
  }

  @Post(':id/activate')
  @SuperAdmin()
  @HttpCode(200)
  @ApiOkResponse({ type: TenantDto })
  activate(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<TenantDto> {
    return this.tenants.setStatus(caller, id, 'active');
  }
}
