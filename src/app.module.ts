import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AccessGuard } from './common/auth/access.guard';
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
import { HealthModule } from './modules/health/health.module';

/** Modules shared by the API and the worker. */
export const CORE_MODULES = [ConfigModule, LoggerModule, DatabaseModule, RedisModule, QueueModule];

/** The HTTP API. */
@Module({
  imports: [...CORE_MODULES, IdempotencyModule, AuditModule, HealthModule, AccountsModule],
  providers: [
    { provide: APP_GUARD, useClass: AccessGuard },
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
