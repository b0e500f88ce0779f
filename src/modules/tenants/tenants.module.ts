import { Global, Module } from '@nestjs/common';
import { PLANS } from './plans';
import { PLAN_CATALOG, QuotaService } from './quota.service';
import { SettingsAdminController } from './settings.admin.controller';
import { TenantProvisioningService } from './tenant-provisioning.service';
import { TenantSettingsService } from './tenant-settings.service';
import { TenantsAdminController } from './tenants.admin.controller';
import { TenantsService } from './tenants.service';

/** Global: every module that creates customers or locations checks the plan through QuotaService. */
@Global()
@Module({
  controllers: [TenantsAdminController, SettingsAdminController],
  providers: [
    TenantsService,
    TenantProvisioningService,
    TenantSettingsService,
    QuotaService,
    { provide: PLAN_CATALOG, useValue: PLANS },
  ],
  exports: [QuotaService],
})
export class TenantsModule {}
