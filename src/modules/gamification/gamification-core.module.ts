import { Module } from '@nestjs/common';
import { LoyaltyModule } from '../loyalty/loyalty.module';
import { AchievementUnlocks } from './achievement-unlocks.service';
import { AfterCommit } from './after-commit';
import { ChallengeProgress } from './challenge-progress.service';
import { GamificationListener } from './gamification.listener';
import { LeaderboardsService } from './leaderboards.service';

/**
 * What both processes need: the listener that moves achievements, challenges and leaderboards
 * with every activity (the worker records activities too, when it pays out community challenges),
 * the leaderboards and challenge settlement.
 */
@Module({
  imports: [LoyaltyModule],
  providers: [AfterCommit, LeaderboardsService, AchievementUnlocks, ChallengeProgress, GamificationListener],
  exports: [LeaderboardsService, ChallengeProgress],
})
export class GamificationCoreModule {}
