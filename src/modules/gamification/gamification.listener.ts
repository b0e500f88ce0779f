import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainEvent } from '../../common/outbox/outbox';
import {
  ActivityListener,
  ActivityListeners,
  AppliedRefund,
  RecordedActivity,
} from '../loyalty/activities/activity-listener';
import { AchievementUnlocks } from './achievement-unlocks.service';
import { ChallengeProgress } from './challenge-progress.service';
import { Earned, LeaderboardsService } from './leaderboards.service';

/**
 * Gamification's reaction to every activity, inside the activity's transaction (see
 * AchievementUnlocks for why): challenges first, since completing one records a
 * `challenge_completed` activity that comes back through here (challenges ignore those, so it
 * cannot loop) and its points count for the badges evaluated next; then achievements; then the
 * leaderboards, written to Redis once all of it has committed.
 *
 * A refund is never progress towards a challenge or a badge (onRefundApplied), and taking back
 * progress already made (a challenge completed, a badge paid) is not something the tenant's rules
 * promise. The points its own rules give are earned points all the same: they count for badges on
 * points and tiers, as they count on the leaderboards.
 */
@Injectable()
export class GamificationListener implements ActivityListener, OnModuleInit {
  constructor(
    private readonly listeners: ActivityListeners,
    private readonly challenges: ChallengeProgress,
    private readonly achievements: AchievementUnlocks,
    private readonly leaderboards: LeaderboardsService,
  ) {}

  readonly reads = [ChallengeProgress.runningRead, AchievementUnlocks.activeRead, LeaderboardsService.listedRead];

  onModuleInit(): void {
    this.listeners.register(this);
  }

  async onActivityRecorded(manager: EntityManager, activity: RecordedActivity): Promise<DomainEvent[]> {
    const events = await this.challenges.advance(manager, activity);
    const unlocked = await this.achievements.evaluate(manager, activity);
    events.push(...unlocked.events);
    const earned: Earned[] = [...unlocked.earned];
    if (activity.points > 0) earned.push({ points: activity.points, at: activity.earnedAt });
    await this.leaderboards.addEarned(
      manager,
      activity.tenantId,
      activity.customerId,
      earned,
      LeaderboardsService.standingOfRead(activity),
    );
    return events;
  }

  async onRefundApplied(manager: EntityManager, refund: AppliedRefund): Promise<DomainEvent[]> {
    const unlocked =
      refund.gained > 0 ? await this.achievements.evaluatePointsEarned(manager, refund, refund.gained) : undefined;
    await this.leaderboards.addRefund(manager, refund, unlocked?.earned);
    return unlocked?.events ?? [];
  }
}
