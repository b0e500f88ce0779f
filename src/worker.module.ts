import { Module } from '@nestjs/common';
import { CORE_MODULES } from './app.module';
import { LoyaltyWorkerModule } from './modules/loyalty/loyalty-worker.module';
import { MaintenanceModule } from './modules/maintenance/maintenance.module';

/** The worker process: BullMQ processors and schedulers, no HTTP. */
@Module({
  imports: [...CORE_MODULES, MaintenanceModule, LoyaltyWorkerModule],
})
export class WorkerModule {}
