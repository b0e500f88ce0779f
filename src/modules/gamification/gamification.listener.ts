import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainEvent } from '../../common/outbox/outbox';
import { ActivityListener, ActivityListeners, RecordedActivity } from '../loyalty/activities/activity-listener';
import { AchievementUnlocks } from './achievement-unlocks.service';
import { ChallengeProgress } from './challenge-progress.service';
import { Earned, LeaderboardsService } from './leaderboards.service';

/**
 * Gamification's reaction to every activity, inside the activity's transaction (see
 * AchievementUnlocks for why): challenges first, since completing one records a
 * `challenge_completed` activity that comes back through here (challenges ignore those, so it
 * cannot loop) and its points count for the badges evaluated next; then achievements; then the
 * leaderboards, written to Redis once all of it has committed.
 */
@Injectable()
export class GamificationListener implements ActivityListener, OnModuleInit {
  constructor(
    private readonly listeners: ActivityListeners,
    private readonly challenges: ChallengeProgress,
    private readonly achievements: AchievementUnlocks,
    private readonly leaderboards: LeaderboardsService,
  ) {}

  onModuleInit(): void {
    this.listeners.register(this);
  }

  async onActivityRecorded(manager: EntityManager, activity: RecordedActivity): Promise<DomainEvent[]> {
    const events = await this.challenges.advance(manager, activity);
    const unlocked = await this.achievements.evaluate(manager, activity);
    events.push(...unlocked.events);
    const earned: Earned[] = [...unlocked.earned];
    if (activity.points > 0) earned.push({ points: activity.points, at: await earnedAt(manager, activity) });
    await this.leaderboards.addEarned(manager, activity.tenantId, activity.customerId, earned);
    return events;
  }
}

/** When the activity's points were written to the ledger: the instant that decides their week and month. */
async function earnedAt(manager: EntityManager, activity: RecordedActivity): Promise<Date> {
  const [row] = (await manager.query(
    `SELECT min(created_at) AS at FROM point_transactions WHERE tenant_id = $1 AND activity_id = $2 AND type = 'earn'`,
    [activity.tenantId, activity.activityId],
  )) as Array<{ at: Date | null }>;
  return row?.at ?? new Date();
}
