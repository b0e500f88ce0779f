import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainEvent } from '../../common/outbox/outbox';
import type { ContextRead } from '../loyalty/activities/earning-context';
import type { RecordedActivity } from '../loyalty/activities/activity-listener';
import { AchievementCriteria, ActivitySignal, factsNeeded, isMet, isRelevant } from './achievement-criteria';
import { creditBonus } from './bonus-points';
import { loadCustomerFacts } from './customer-facts';
import type { Earned } from './leaderboards.service';

interface AchievementRow {
  id: string;
  name: string;
  criteria: AchievementCriteria;
  points: number;
}

/** Who earned, in which transaction and on which locked account: what an unlock writes against. */
export type Earning = Pick<
  RecordedActivity,
  'tenantId' | 'customerId' | 'activityId' | 'account' | 'timeZone' | 'reads'
>;

export interface UnlockOutcome {
  events: DomainEvent[];
  /** Points the unlocked badges paid, for the leaderboards. */
  earned: Earned[];
}

/**
 * Unlocks achievements as activities come in. It runs inside the activity's transaction, with the
 * customer's account row locked (see ActivitiesService), rather than in a worker reading the
 * outbox: the outbox relay is not built yet, the customer sees the badge in the very response
 * that earned it, the badge, its points and its `achievement.unlocked` event commit or roll back
 * with the activity, and the lock serializes a customer's activities so that "never unlocked
 * twice" needs no more than the unique key on (tenant, achievement, customer) as a backstop.
 */
@Injectable()
export class AchievementUnlocks {
  /** The tenant's active achievements, read with the activity (see ActivityListener.reads). */
  static readonly activeRead: ContextRead = {
    name: 'active_achievements',
    sql: `SELECT coalesce(json_agg(a ORDER BY a.created_at, a.id), '[]') FROM (
            SELECT id, name, criteria, points, created_at FROM achievements
             WHERE tenant_id = $1 AND active AND deleted_at IS NULL) a`,
  };

  evaluate(manager: EntityManager, activity: RecordedActivity): Promise<UnlockOutcome> {
    return this.unlockMet(manager, activity, {
      type: activity.type,
      locationId: activity.locationId,
      points: activity.points,
      tierId: activity.account.tierId,
    });
  }

  /**
   * Points earned with no activity that counts as progress (the goodwill a refund's own rules
   * give): they may meet criteria on points or tiers, never one counting activities.
   */
  evaluatePointsEarned(manager: EntityManager, earning: Earning, points: number): Promise<UnlockOutcome> {
    return this.unlockMet(manager, earning, { type: null, locationId: null, points, tierId: earning.account.tierId });
  }

  private async unlockMet(manager: EntityManager, earning: Earning, signal: ActivitySignal): Promise<UnlockOutcome> {
    const { tenantId, customerId } = earning;
    const outcome: UnlockOutcome = { events: [], earned: [] };
    const achievements = (earning.reads[AchievementUnlocks.activeRead.name] ?? []) as AchievementRow[];
    if (achievements.length === 0) return outcome;
    let candidates = achievements.filter((achievement) => isRelevant(achievement.criteria, signal));
    if (candidates.length === 0) return outcome;

    const held = new Set(
      (
        (await manager.query(
          `SELECT achievement_id FROM customer_achievements WHERE tenant_id = $1 AND customer_id = $2`,
          [tenantId, customerId],
        )) as Array<{ achievement_id: string }>
      ).map((row) => row.achievement_id),
    );
    let open = achievements.filter((achievement) => !held.has(achievement.id));
    candidates = candidates.filter((achievement) => !held.has(achievement.id));
    const timeZone = earning.timeZone;

    while (candidates.length > 0) {
      const facts = await loadCustomerFacts(
        manager,
        tenantId,
        customerId,
        factsNeeded(candidates.map((achievement) => achievement.criteria)),
        timeZone,
      );
      const met = candidates.filter((achievement) => isMet(achievement.criteria, facts));
      let credited = false;
      for (const achievement of met) {
        open = open.filter((other) => other.id !== achievement.id);
        if (await this.unlock(manager, earning, achievement, outcome)) credited ||= achievement.points > 0;
      }
      // Points a badge just paid may meet a points or tier criteria this activity alone did not.
      if (!credited) break;
      candidates = open.filter(
        (achievement) => achievement.criteria.type === 'points_total' || achievement.criteria.type === 'tier_reached',
      );
    }
    return outcome;
  }

  private async unlock(
    manager: EntityManager,
    earning: Earning,
    achievement: AchievementRow,
    outcome: UnlockOutcome,
  ): Promise<boolean> {
    const now = new Date();
    const inserted = (await manager.query(
      `INSERT INTO customer_achievements (tenant_id, achievement_id, customer_id, activity_id, points_awarded, unlocked_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT customer_achievements_achievement_customer_key DO NOTHING
       RETURNING id`,
      [earning.tenantId, achievement.id, earning.customerId, earning.activityId, achievement.points, now],
    )) as Array<{ id: string }>;
    if (inserted.length === 0) return false;
    if (achievement.points > 0) {
      outcome.events.push(
        ...(await creditBonus(
          manager,
          earning.account,
          {
            points: achievement.points,
            reason: `Achievement: ${achievement.name}`,
            reference: `achievement:${achievement.id}`,
            activityId: earning.activityId,
          },
          now,
        )),
      );
      outcome.earned.push({ points: achievement.points, at: now });
    }
    outcome.events.push({
      type: 'achievement.unlocked',
      aggregateType: 'customer',
      aggregateId: earning.customerId,
      payload: {
        achievement_id: achievement.id,
        customer_id: earning.customerId,
        name: achievement.name,
        points: achievement.points,
        activity_id: earning.activityId,
        unlocked_at: now.toISOString(),
      },
    });
    return true;
  }
}
