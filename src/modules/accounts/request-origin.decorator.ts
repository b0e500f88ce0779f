import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Caller } from '../../common/auth/access.decorators';

/** Where a request came from, for routes that may have no caller yet (sign-in, reset). */
export type RequestOrigin = Omit<Caller, 'actor'>;

export const CurrentOrigin = createParamDecorator((_data: unknown, context: ExecutionContext): RequestOrigin => {
  const request = context.switchToHttp().getRequest<{ ip?: string; id?: string }>();
  return { ip: request.ip ?? null, requestId: request.id ? String(request.id) : null };
});
