import { Module } from '@nestjs/common';
import { LedgerMaintenanceProcessor } from './ledger/ledger-maintenance.processor';
import { LedgerMaintenanceService } from './ledger/ledger-maintenance.service';

/** Worker-only: the loyalty engine's scheduled jobs. The API imports LoyaltyModule, never this. */
@Module({
  providers: [LedgerMaintenanceService, LedgerMaintenanceProcessor],
})
export class LoyaltyWorkerModule {}
