import { Module } from '@nestjs/common';
import { IdempotencyPurgeService } from '../../common/idempotency/idempotency-purge.service';
import { MaintenanceProcessor } from './maintenance.processor';

/** Worker-only: scheduled housekeeping. */
@Module({
  providers: [IdempotencyPurgeService, MaintenanceProcessor],
})
export class MaintenanceModule {}
