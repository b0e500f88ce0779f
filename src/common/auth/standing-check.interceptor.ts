import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, Observable } from 'rxjs';
import { TenantDatabase } from '../../database/tenant-database.service';
import { Actor } from './actor';
import { checkStandingNow, DeferredStanding } from './standing';

/**
 * The guarantee behind StandingCheckedInTransaction: a caller whose token standing was deferred
 * never gets an answer its transaction did not check.
 * - The handler failed before its transaction opened (e.g. a 404 found without one): the
 *   standing is checked now, and a refused token gets its 401/403 instead of the handler's error.
 * - The handler succeeded without checking: the route is wired wrongly (its work did not run in
 *   a transaction given the standing). That is a bug, answered with a 500, after a refused token
 *   is given its 401/403.
 */
@Injectable()
export class StandingCheckInterceptor implements NestInterceptor {
  private readonly logger = new Logger('StandingCheck');

  constructor(private readonly database: TenantDatabase) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const actor = context.switchToHttp().getRequest<{ actor?: Actor }>().actor;
    const standing = actor?.kind === 'user' ? actor.deferredStanding : undefined;
    if (!standing) return next.handle();
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    return from(this.answer(standing, next, route));
  }

  private async answer(standing: DeferredStanding, next: CallHandler, route: string): Promise<unknown> {
    let value: unknown;
    try {
      value = await lastValueFrom(next.handle());
    } catch (error) {
      if (!standing.checked) await this.checkNow(standing);
      throw error;
    }
    if (!standing.checked) {
      await this.checkNow(standing);
      this.logger.error(`${route} deferred the caller's standing check to a transaction that never made it`);
      throw new Error(`${route}: the deferred standing check never ran`);
    }
    return value;
  }

  private async checkNow({ tenantId, userId, issuedAt, role }: DeferredStanding): Promise<void> {
    await checkStandingNow(this.database, tenantId, userId, issuedAt, role);
  }
}
