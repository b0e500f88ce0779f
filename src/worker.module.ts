import { Module } from '@nestjs/common';
import { CORE_MODULES } from './app.module';
import { MaintenanceModule } from './modules/maintenance/maintenance.module';

/** The worker process: BullMQ processors and schedulers, no HTTP. */
@Module({
  imports: [...CORE_MODULES, MaintenanceModule],
})
export class WorkerModule {}
