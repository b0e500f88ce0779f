import { Module } from '@nestjs/common';
import { CORE_MODULES } from './app.module';
import { GamificationWorkerModule } from './modules/gamification/gamification-worker.module';
import { LoyaltyWorkerModule } from './modules/loyalty/loyalty-worker.module';
import { MaintenanceModule } from './modules/maintenance/maintenance.module';
import { RewardsWorkerModule } from './modules/rewards/rewards-worker.module';

/** The worker process: BullMQ processors and schedulers, no HTTP. */
@Module({
  imports: [...CORE_MODULES, MaintenanceModule, LoyaltyWorkerModule, RewardsWorkerModule, GamificationWorkerModule],
})
export class WorkerModule {}
