import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { APP_CONFIG } from '../../../config/config.module';
import { AppConfig } from '../../../config/configuration';
import { LoyaltyJob, QueueName } from '../../../common/queue/queues';
import { LedgerMaintenanceService, PointsRunSummary, TierReviewSummary } from './ledger-maintenance.service';

/**
 * The points pass (pending release, then expiry) and the tier review on a schedule; runs in the
 * worker process only. A job carries no state: each run finds what is due at its own `now`, so a
 * retried, late or overlapping run does the remaining work and nothing twice.
 */
@Processor(QueueName.Loyalty)
export class LedgerMaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(LedgerMaintenanceProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Loyalty) private readonly queue: Queue,
    private readonly maintenance: LedgerMaintenanceService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
    // Keyed by id: every worker replica upserts the same two schedules, not two more.
    const schedules: Array<[string, number]> = [
      [LoyaltyJob.ExpirePoints, this.config.POINTS_EXPIRY_EVERY_MS],
      [LoyaltyJob.ReviewTiers, this.config.TIER_REVIEW_EVERY_MS],
    ];
    for (const [name, every] of schedules) await this.queue.upsertJobScheduler(name, { every }, { name });
    // Releases run in the points pass, just before expiry; the release-only schedule an earlier
    // version left in Redis would only repeat that pass.
    await this.queue.removeJobScheduler(LoyaltyJob.ReleasePendingPoints);
  }

  async process(job: Job): Promise<PointsRunSummary | TierReviewSummary> {
    const started = Date.now();
    const summary = await this.run(job.name);
    // Counts only: no customer, account or tenant data in the run log.
    this.logger.log({ job: job.name, ...summary, duration_ms: Date.now() - started }, `${job.name} run`);
    // Failed accounts were skipped so the others went on; failing the job retries it with backoff.
    if (summary.failed > 0) throw new Error(`${job.name}: ${summary.failed} accounts or tenants failed`);
    return summary;
  }

  private run(name: string): Promise<PointsRunSummary | TierReviewSummary> {
    switch (name) {
      // A release job left queued by the earlier schedule runs the same pass: nothing is lost.
      case LoyaltyJob.ExpirePoints:
      case LoyaltyJob.ReleasePendingPoints:
        return this.maintenance.releaseAndExpirePoints();
      case LoyaltyJob.ReviewTiers:
        return this.maintenance.reviewTiers();
      default:
        throw new Error(`Unknown loyalty job ${name}`);
    }
  }
}
