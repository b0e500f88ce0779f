import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { QueueName, RewardsJob } from '../../common/queue/queues';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { RedemptionExpiryService, RedemptionExpirySummary } from './redemption-expiry.service';

/**
 * Voucher expiry on a schedule; runs in the worker process only. A job carries no state: each run
 * expires what is due at its own `now`, so a retried, late or overlapping run does nothing twice.
 */
@Processor(QueueName.Rewards)
export class RedemptionExpiryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RedemptionExpiryProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Rewards) private readonly queue: Queue,
    private readonly expiry: RedemptionExpiryService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
    // Keyed by id: every worker replica upserts the same schedule.
    await this.queue.upsertJobScheduler(
      RewardsJob.ExpireRedemptions,
      { every: this.config.REDEMPTION_EXPIRY_EVERY_MS },
      { name: RewardsJob.ExpireRedemptions },
    );
  }

  async process(job: Job): Promise<RedemptionExpirySummary> {
    if (job.name !== RewardsJob.ExpireRedemptions) throw new Error(`Unknown rewards job ${job.name}`);
    const started = Date.now();
    const summary = await this.expiry.expireRedemptions();
    // Counts only: no customer or tenant data in the run log.
    this.logger.log({ job: job.name, ...summary, duration_ms: Date.now() - started }, `${job.name} run`);
    // Failed tenants were skipped so the others went on; failing the job retries it with backoff.
    if (summary.failed > 0) throw new Error(`${job.name}: ${summary.failed} tenants failed`);
    return summary;
  }
}
