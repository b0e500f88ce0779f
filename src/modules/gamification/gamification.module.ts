import { Module } from '@nestjs/common';
import { AchievementsAdminController } from './achievements.admin.controller';
import { AchievementsController } from './achievements.controller';
import { AchievementsService } from './achievements.service';
import { ChallengesAdminController } from './challenges.admin.controller';
import { ChallengesController } from './challenges.controller';
import { ChallengesService } from './challenges.service';
import { ContentAdminController } from './content.admin.controller';
import { ContentController } from './content.controller';
import { ContentService } from './content.service';
import { GamificationCoreModule } from './gamification-core.module';
import { LeaderboardsController } from './leaderboards.controller';

/** Achievements, challenges, access levels and exclusive content, leaderboards (API). Jobs: GamificationWorkerModule. */
@Module({
  imports: [GamificationCoreModule],
  controllers: [
    AchievementsAdminController,
    AchievementsController,
    ChallengesAdminController,
    ChallengesController,
    ContentAdminController,
    ContentController,
    LeaderboardsController,
  ],
  providers: [AchievementsService, ChallengesService, ContentService],
})
export class GamificationModule {}
