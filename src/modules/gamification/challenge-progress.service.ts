import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { EntityManager } from 'typeorm';
import { appendToOutbox, DomainEvent } from '../../common/outbox/outbox';
import { GamificationJob, QueueName } from '../../common/queue/queues';
import { TenantDatabase } from '../../database/tenant-database.service';
import { ActivitiesService } from '../loyalty/activities/activities.service';
import type { RecordedActivity } from '../loyalty/activities/activity-listener';
import { ContextRead, loadProgram } from '../loyalty/activities/earning-context';
import { lockAccount } from '../loyalty/ledger/ledger';
import { AfterCommit } from './after-commit';
import { creditBonus, refreshAccount } from './bonus-points';
import { ChallengeGoal, ChallengeKind, contributionOf, countsTowards, JoinMode, targetOf } from './challenge-goal';
import { customerActor } from './gamification-caller';
import { LeaderboardsService } from './leaderboards.service';

interface ChallengeRow {
  id: string;
  name: string;
  kind: ChallengeKind;
  goal: ChallengeGoal;
  starts_at: Date;
  ends_at: Date;
  join_mode: JoinMode;
  points: number;
}

const CHALLENGE_COLUMNS = `id, name, kind, goal, starts_at, ends_at, join_mode, points`;

/** Participants paid per batch when a community goal is reached; each in its own transaction. */
const SETTLE_BATCH = 200;

export interface SettleSummary {
  challenges: number;
  settled: number;
  failed: number;
}

/** The job id that makes a settlement enqueued twice (two replicas, a retry) run once. */
export const settleJobId = (tenantId: string, challengeId: string): string => `settle-${tenantId}-${challengeId}`;

/**
 * Challenge progress, inside the activity's transaction (see AchievementUnlocks for why), and the
 * payment of completions: a `challenge_completed` activity (so the tenant's challenge_completed
 * earning rules fire), the challenge's bonus points and a `challenge.completed` event, once per
 * participant, guarded by a conditional update of the participant's `completed_at`.
 *
 * Locks are always taken account first, then challenge rows in id order: the activity path holds
 * the customer's account and then updates the community challenges it contributes to. So when
 * a community goal is reached, only the contributor who reached it is paid in that transaction;
 * paying the others there would lock their accounts after a challenge row and could deadlock with
 * their own contributions. They are paid by the `settle-challenge` job, enqueued once the
 * completion commits, each in a transaction of their own; the scheduled `settle-challenges` sweep
 * pays anyone a lost job left unpaid.
 */
@Injectable()
export class ChallengeProgress {
  private readonly logger = new Logger(ChallengeProgress.name);

  constructor(
    private readonly database: TenantDatabase,
    private readonly activities: ActivitiesService,
    private readonly leaderboards: LeaderboardsService,
    private readonly afterCommit: AfterCommit,
    @InjectQueue(QueueName.Gamification) private readonly queue: Queue,
  ) {}

  /** The challenges running when the activity happened, read with it (see ActivityListener.reads). */
  static readonly runningRead: ContextRead = {
    name: 'running_challenges',
    sql: `SELECT coalesce(json_agg(c ORDER BY c.id), '[]') FROM (
            SELECT ${CHALLENGE_COLUMNS} FROM challenges
             WHERE tenant_id = $1 AND active AND completed_at IS NULL AND starts_at <= $5 AND ends_at > $5) c`,
  };

  async advance(manager: EntityManager, activity: RecordedActivity): Promise<DomainEvent[]> {
    // A completion is never progress: a challenge counting completions would feed itself.
    if (activity.type === 'challenge_completed') return [];
    const { tenantId, customerId } = activity;
    const running = ((activity.reads[ChallengeProgress.runningRead.name] ?? []) as ChallengeRow[]).map((row) => ({
      ...row,
      // From json_agg: timestamps arrive as text.
      starts_at: new Date(row.starts_at),
      ends_at: new Date(row.ends_at),
    }));
    const events: DomainEvent[] = [];
    let completed = false;
    for (const challenge of running) {
      const amount = contributionOf(challenge.goal, activity);
      if (amount <= 0) continue;
      const participant = await this.participantFor(manager, tenantId, challenge, customerId);
      if (!participant || participant.completed_at !== null) continue;
      const window = { startsAt: challenge.starts_at, endsAt: challenge.ends_at, joinMode: challenge.join_mode };
      if (!countsTowards(window, activity.occurredAt, participant.joined_at)) continue;

      if (challenge.kind === 'community') {
        // The shared total, under the challenge row's lock: exactly one contribution reaches the goal.
        const now = new Date();
        const [[shared]] = (await manager.query(
          `UPDATE challenges
              SET progress = progress + $3,
                  completed_at = CASE WHEN progress + $3 >= $4 THEN $5::timestamptz END,
                  updated_at = now()
            WHERE tenant_id = $1 AND id = $2 AND completed_at IS NULL
            RETURNING completed_at`,
          [tenantId, challenge.id, amount, targetOf(challenge.goal), now],
        )) as [Array<{ completed_at: Date | null }>, number];
        if (!shared) continue;
        await this.addProgress(manager, tenantId, challenge.id, customerId, amount);
        if (shared.completed_at !== null) {
          events.push(...(await this.complete(manager, tenantId, challenge, customerId, activity.programId, now)));
          completed = true;
          this.afterCommit.schedule(manager, () =>
            this.queue.add(
              GamificationJob.SettleChallenge,
              { tenant_id: tenantId, challenge_id: challenge.id },
              { jobId: settleJobId(tenantId, challenge.id) },
            ),
          );
        }
      } else {
        const progress = await this.addProgress(manager, tenantId, challenge.id, customerId, amount);
        if (progress >= targetOf(challenge.goal)) {
          events.push(
            ...(await this.complete(manager, tenantId, challenge, customerId, activity.programId, new Date())),
          );
          completed = true;
        }
      }
    }
    if (completed) await refreshAccount(manager, activity.account);
    return events;
  }

  /** The customer's participation; an automatic challenge enrols them on their first contribution. */
  private async participantFor(
    manager: EntityManager,
    tenantId: string,
    challenge: ChallengeRow,
    customerId: string,
  ): Promise<{ joined_at: Date; completed_at: Date | null } | undefined> {
    const select = async () =>
      (
        (await manager.query(
          `SELECT joined_at, completed_at FROM challenge_participants
            WHERE tenant_id = $1 AND challenge_id = $2 AND customer_id = $3`,
          [tenantId, challenge.id, customerId],
        )) as Array<{ joined_at: Date; completed_at: Date | null }>
      )[0];
    const existing = await select();
    if (existing || challenge.join_mode !== 'automatic') return existing;
    await manager.query(
      `INSERT INTO challenge_participants (tenant_id, challenge_id, customer_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [tenantId, challenge.id, customerId],
    );
    return select();
  }

  private async addProgress(
    manager: EntityManager,
    tenantId: string,
    challengeId: string,
    customerId: string,
    amount: number,
  ): Promise<number> {
    const [[row]] = (await manager.query(
      `UPDATE challenge_participants SET progress = progress + $4
        WHERE tenant_id = $1 AND challenge_id = $2 AND customer_id = $3 RETURNING progress`,
      [tenantId, challengeId, customerId, amount],
    )) as [Array<{ progress: string }>, number];
    const progress = Number(row.progress);
    await this.leaderboards.setChallengeScore(manager, tenantId, challengeId, customerId, progress);
    return progress;
  }

  /**
   * Pays one participant's completion, at most once. The caller holds the customer's account lock
   * (the activity path does; the settlement takes it first).
   */
  private async complete(
    manager: EntityManager,
    tenantId: string,
    challenge: ChallengeRow,
    customerId: string,
    programId: string,
    now: Date,
  ): Promise<DomainEvent[]> {
    const claimed = (await manager.query(
      `UPDATE challenge_participants SET completed_at = $4
        WHERE tenant_id = $1 AND challenge_id = $2 AND customer_id = $3 AND completed_at IS NULL
        RETURNING customer_id`,
      [tenantId, challenge.id, customerId, now],
    )) as [unknown[], number];
    if (claimed[1] === 0) return [];
    const earned = await this.activities.recordWithin(
      manager,
      customerActor(tenantId, customerId),
      {
        type: 'challenge_completed',
        customer_id: customerId,
        program_id: programId,
        reference: challenge.id,
        attributes: { challenge_id: challenge.id, challenge_name: challenge.name, challenge_kind: challenge.kind },
      },
      now,
    );
    const events: DomainEvent[] = [];
    if (challenge.points > 0) {
      const account = await lockAccount(manager, tenantId, customerId, programId);
      events.push(
        ...(await creditBonus(
          manager,
          account,
          {
            points: challenge.points,
            reason: `Challenge: ${challenge.name}`,
            reference: `challenge:${challenge.id}`,
            activityId: earned.activity_id,
          },
          now,
        )),
      );
      await this.leaderboards.addEarned(manager, tenantId, customerId, [{ points: challenge.points, at: now }]);
    }
    await manager.query(
      `UPDATE challenge_participants SET completion_activity_id = $4
        WHERE tenant_id = $1 AND challenge_id = $2 AND customer_id = $3`,
      [tenantId, challenge.id, customerId, earned.activity_id],
    );
    events.push({
      type: 'challenge.completed',
      aggregateType: 'customer',
      aggregateId: customerId,
      payload: {
        challenge_id: challenge.id,
        customer_id: customerId,
        kind: challenge.kind,
        completed_at: now.toISOString(),
        activity_id: earned.activity_id,
        points_awarded: earned.points_awarded + challenge.points,
      },
    });
    return events;
  }

  /** Pays every participant of a reached community goal who is not paid yet. */
  async settle(tenantId: string, challengeId: string): Promise<SettleSummary> {
    const summary: SettleSummary = { challenges: 1, settled: 0, failed: 0 };
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const batch = (await this.database.run(tenantId, (manager) =>
        manager.query(
          `SELECT p.customer_id FROM challenge_participants p
             JOIN challenges c ON c.tenant_id = p.tenant_id AND c.id = p.challenge_id
             JOIN customers cu ON cu.tenant_id = p.tenant_id AND cu.id = p.customer_id
            WHERE p.tenant_id = $1 AND p.challenge_id = $2 AND c.completed_at IS NOT NULL
              AND p.completed_at IS NULL AND cu.status = 'active' AND p.customer_id > $3
            ORDER BY p.customer_id LIMIT $4`,
          [tenantId, challengeId, after, SETTLE_BATCH],
        ),
      )) as Array<{ customer_id: string }>;
      for (const { customer_id: customerId } of batch) {
        try {
          const paid = await this.database.run(tenantId, async (manager) => {
            const program = await loadProgram(manager, tenantId);
            await lockAccount(manager, tenantId, customerId, program.id);
            const [challenge] = (await manager.query(
              `SELECT ${CHALLENGE_COLUMNS}, completed_at FROM challenges WHERE tenant_id = $1 AND id = $2`,
              [tenantId, challengeId],
            )) as Array<ChallengeRow & { completed_at: Date | null }>;
            const events = await this.complete(
              manager,
              tenantId,
              challenge,
              customerId,
              program.id,
              challenge.completed_at!,
            );
            await appendToOutbox(manager, tenantId, events);
            return events.length > 0;
          });
          if (paid) summary.settled += 1;
        } catch (error) {
          summary.failed += 1;
          this.logger.warn(
            `challenge ${challengeId} of tenant ${tenantId}: participant ${customerId} not paid: ${messageOf(error)}`,
          );
        }
      }
      if (batch.length < SETTLE_BATCH) return summary;
      after = batch[batch.length - 1].customer_id;
    }
  }

  /** The sweep: settles every reached community goal with participants left unpaid, in every tenant. */
  async settleAll(): Promise<SettleSummary> {
    const summary: SettleSummary = { challenges: 0, settled: 0, failed: 0 };
    const tenants = (await this.database.runAsPlatform((manager) =>
      manager.query(`SELECT id FROM tenants ORDER BY id`),
    )) as Array<{ id: string }>;
    for (const { id: tenantId } of tenants) {
      try {
        const due = (await this.database.run(tenantId, (manager) =>
          manager.query(
            `SELECT DISTINCT p.challenge_id FROM challenge_participants p
               JOIN challenges c ON c.tenant_id = p.tenant_id AND c.id = p.challenge_id
              WHERE p.tenant_id = $1 AND p.completed_at IS NULL AND c.completed_at IS NOT NULL`,
            [tenantId],
          ),
        )) as Array<{ challenge_id: string }>;
        for (const { challenge_id: challengeId } of due) {
          const result = await this.settle(tenantId, challengeId);
          summary.challenges += 1;
          summary.settled += result.settled;
          summary.failed += result.failed;
        }
      } catch (error) {
        summary.failed += 1;
        this.logger.warn(`challenge settlement skipped tenant ${tenantId}: ${messageOf(error)}`);
      }
    }
    return summary;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
