import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AccessGuard } from './common/auth/access.guard';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { ProblemFilter } from './common/errors/problem.filter';
import { validationExceptionFactory } from './common/errors/validation';
import { LoggerModule } from './common/logging/logger.module';
import { QueueModule } from './common/queue/queue.module';
import { RedisModule } from './common/redis/redis.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AuditModule } from './modules/audit/audit.module';
import { EventsModule } from './modules/events/events.module';
import { GamificationModule } from './modules/gamification/gamification.module';
import { CustomersModule } from './modules/customers/customers.module';
import { HealthModule } from './modules/health/health.module';
import { LocationsModule } from './modules/locations/locations.module';
import { LoyaltyModule } from './modules/loyalty/loyalty.module';
import { RewardsModule } from './modules/rewards/rewards.module';
import { TenantsModule } from './modules/tenants/tenants.module';

/** Modules shared by the API and the worker. */
export const CORE_MODULES = [ConfigModule, LoggerModule, DatabaseModule, RedisModule, QueueModule];

/** The HTTP API. */
@Module({
  imports: [
    ...CORE_MODULES,
    RateLimitModule,
    IdempotencyModule,
    AuditModule,
    HealthModule,
    AccountsModule,
    TenantsModule,
    CustomersModule,
    LoyaltyModule,
    RewardsModule,
    EventsModule,
    LocationsModule,
    GamificationModule,
  ],
  providers: [
    // In this order: the rate limiter keys on the caller that the AccessGuard resolved.
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_GUARD, useExisting: RateLimitGuard },
    { provide: APP_FILTER, useClass: ProblemFilter },
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        exceptionFactory: validationExceptionFactory,
      }),
    },
  ],
})
export class AppModule {}
