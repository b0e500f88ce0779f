import { Global, Module } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency.decorators';
import { IdempotencyService } from './idempotency.service';

@Global()
@Module({
  providers: [IdempotencyService, IdempotencyInterceptor],
  exports: [IdempotencyService, IdempotencyInterceptor],
})
export class IdempotencyModule {}
