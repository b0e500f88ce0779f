import {
  applyDecorators,
  CallHandler,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { ValidationFailedError } from '../errors/domain-error';
import { IdempotentRequest } from './idempotency.service';
import { IdempotentOutcome } from './idempotent-outcome';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Sets the status of an IdempotentOutcome and marks replays with `Idempotent-Replayed: true`. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((result: unknown) => {
        if (!(result instanceof IdempotentOutcome)) return result;
        void reply.status(result.status);
        if (result.replayed) void reply.header('idempotent-replayed', 'true');
        return result.body;
      }),
    );
  }
}

/** Marks a route as honouring `Idempotency-Key` (documented in OpenAPI). */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Replays the first response for 24 h; the same key with another body is 422.',
    }),
  );

/** The request as IdempotencyService needs it: caller, key, method, URL and body. */
export const IdempotentRequestOf = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotentRequest => {
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: IdempotentRequest['actor'] }>();
    if (!request.actor) throw new Error('IdempotentRequestOf used on a route without an authenticated caller');
    const header = request.headers['idempotency-key'];
    if (header !== undefined && (typeof header !== 'string' || !KEY.test(header))) {
      throw new ValidationFailedError([
        { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    return { actor: request.actor, key: header, method: request.method, url: request.url, body: request.body };
  },
);
