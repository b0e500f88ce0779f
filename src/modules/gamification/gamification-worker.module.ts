import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../../common/idempotency/idempotency.module';
import { AuditModule } from '../audit/audit.module';
import { GamificationCoreModule } from './gamification-core.module';
import { GamificationProcessor } from './gamification.processor';

/**
 * Worker-only: leaderboard rebuilds and community-challenge settlement. Paying a completion
 * records a `challenge_completed` activity through the loyalty module, whose services need the
 * (global) idempotency and audit modules that the API has and the bare worker has not.
 */
@Module({
  imports: [IdempotencyModule, AuditModule, GamificationCoreModule],
  providers: [GamificationProcessor],
})
export class GamificationWorkerModule {}
