import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { GamificationJob, QueueName } from '../../common/queue/queues';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { ChallengeProgress, SettleSummary } from './challenge-progress.service';
import { LeaderboardsService, RebuildSummary } from './leaderboards.service';

/** Boards are kept current on every earn; the rebuild only repairs what a lost Redis write or a flush took. */
export const LEADERBOARD_REBUILD_EVERY_MS = 6 * 3600 * 1000;
/** The sweep pays community-challenge participants whose settlement job was lost. */
export const CHALLENGE_SWEEP_EVERY_MS = 5 * 60 * 1000;

export interface SettleChallengeJob {
  tenant_id: string;
  challenge_id: string;
}

/**
 * The gamification jobs, in the worker process only. Each is idempotent: a rebuild recomputes
 * from the database, a settlement pays only participants not yet paid (a conditional update),
 * so retried, late or overlapping runs do nothing twice.
 */
@Processor(QueueName.Gamification)
export class GamificationProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(GamificationProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Gamification) private readonly queue: Queue,
    private readonly leaderboards: LeaderboardsService,
    private readonly challenges: ChallengeProgress,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
    const schedules: Array<[string, number]> = [
      [GamificationJob.RebuildLeaderboards, LEADERBOARD_REBUILD_EVERY_MS],
      [GamificationJob.SettleChallenges, CHALLENGE_SWEEP_EVERY_MS],
    ];
    for (const [name, every] of schedules) await this.queue.upsertJobScheduler(name, { every }, { name });
  }

  async process(job: Job): Promise<RebuildSummary | SettleSummary> {
    const started = Date.now();
    const summary = await this.run(job);
    // Counts only: no customer or tenant data in the run log.
    this.logger.log({ job: job.name, ...summary, duration_ms: Date.now() - started }, `${job.name} run`);
    if (summary.failed > 0) throw new Error(`${job.name}: ${summary.failed} failed`);
    return summary;
  }

  private run(job: Job): Promise<RebuildSummary | SettleSummary> {
    switch (job.name) {
      case GamificationJob.RebuildLeaderboards:
        return this.leaderboards.rebuildAll();
      case GamificationJob.SettleChallenges:
        return this.challenges.settleAll();
      case GamificationJob.SettleChallenge: {
        const data = job.data as SettleChallengeJob;
        return this.challenges.settle(data.tenant_id, data.challenge_id);
      }
      default:
        throw new Error(`Unknown gamification job ${job.name}`);
    }
  }
}
