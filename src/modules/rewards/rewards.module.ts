import { Module } from '@nestjs/common';
import { RedemptionsAdminController } from './redemptions.admin.controller';
import { RedemptionsService } from './redemptions.service';
import { RewardsAdminController } from './rewards.admin.controller';
import { RewardsController } from './rewards.controller';
import { RewardsService } from './rewards.service';

/** The rewards catalog, redemptions and voucher fulfilment (API). Jobs: RewardsWorkerModule. */
@Module({
  controllers: [RewardsAdminController, RedemptionsAdminController, RewardsController],
  providers: [RewardsService, RedemptionsService],
})
export class RewardsModule {}
