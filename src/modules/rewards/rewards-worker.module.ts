import { Module } from '@nestjs/common';
import { RedemptionExpiryProcessor } from './redemption-expiry.processor';
import { RedemptionExpiryService } from './redemption-expiry.service';

/** Worker-only: the rewards module's scheduled jobs. The API imports RewardsModule, never this. */
@Module({
  providers: [RedemptionExpiryService, RedemptionExpiryProcessor],
})
export class RewardsWorkerModule {}
