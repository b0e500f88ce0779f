import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import Redis from 'ioredis';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { REDIS } from '../redis/redis.module';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/** Rate limiting on Redis; AppModule installs RateLimitGuard as a global guard after AccessGuard. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [
          {
            name: 'default',
            ttl: 60_000,
            // Replaced per caller by RateLimitGuard.limitFor (plan, super admin or anonymous).
            limit: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
          },
        ],
        storage: new RedisThrottlerStorage(redis, config.QUEUE_PREFIX),
      }),
    }),
  ],
  providers: [RateLimitGuard],
  exports: [RateLimitGuard, ThrottlerModule],
})
export class RateLimitModule {}
