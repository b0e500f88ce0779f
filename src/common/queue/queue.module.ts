import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { redisOptionsFromUrl } from '../redis/redis-options';
import { ALL_QUEUES, DEFAULT_JOB_OPTIONS } from './queues';

const queues = BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name })));

/** BullMQ on Redis with the `{beacon}` key prefix (a Redis Cluster hash tag). */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: { ...redisOptionsFromUrl(config.REDIS_URL), maxRetriesPerRequest: null },
        prefix: config.QUEUE_PREFIX,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    queues,
  ],
  exports: [queues],
})
export class QueueModule {}
