import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentActor, CurrentCaller, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { TenantSettingsService } from './tenant-settings.service';
import { TenantSettings } from './tenant-settings';
import { SettingsPatchDto, TenantSettingsDto } from './dto/settings.dto';

@ApiTags('admin')
@Controller('api/admin/settings')
export class SettingsAdminController {
  constructor(private readonly settings: TenantSettingsService) {}

  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: TenantSettingsDto, description: 'The settings with the defaults filled in.' })
  get(@CurrentActor() actor: Actor): Promise<TenantSettings> {
    return this.settings.get(tenantIdOf(actor));
  }

  @Patch()
  @Roles('admin')
  @ApiOkResponse({ type: TenantSettingsDto })
  update(@CurrentCaller() caller: Caller, @Body() body: SettingsPatchDto): Promise<TenantSettings> {
    return this.settings.update(caller, tenantIdOf(caller.actor), body);
  }
}
