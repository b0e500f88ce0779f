import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { IdempotencyPurgeService } from '../../common/idempotency/idempotency-purge.service';
import { MaintenanceJob, QueueName } from '../../common/queue/queues';

/** Housekeeping jobs on a schedule; runs in the worker process only. */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
    private readonly idempotency: IdempotencyPurgeService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.WORKER_CONCURRENCY;
    // A job scheduler is keyed by its id, so every worker replica upserts the same schedule.
    await this.queue.upsertJobScheduler(
      MaintenanceJob.PurgeIdempotencyKeys,
      { every: this.config.IDEMPOTENCY_PURGE_EVERY_MS },
      { name: MaintenanceJob.PurgeIdempotencyKeys },
    );
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case MaintenanceJob.PurgeIdempotencyKeys: {
        const purged = await this.idempotency.purgeExpired();
        if (purged > 0) this.logger.log(`purged ${purged} expired idempotency keys`);
        return { purged };
      }
      default:
        throw new Error(`Unknown maintenance job ${job.name}`);
    }
  }
}
