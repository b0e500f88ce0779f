import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { Actor, actorKey } from '../auth/actor';
import { TooManyRequestsError } from '../errors/domain-error';
import { QuotaService } from '../../modules/tenants/quota.service';
import { PLANS } from '../../modules/tenants/plans';

type RequestWithActor = FastifyRequest & { actor?: Actor };

/** Probes and scrapes are never limited: an orchestrator must always reach them. */
const UNLIMITED_PATHS = /^\/(health|metrics)(\/|$)/;

/**
 * Rate limits per tenant and credential, from the tenant's plan (`api_requests_per_minute`);
 * anonymous callers per IP, super admins per account. Runs after the AccessGuard, which has set
 * `request.actor`. Counters live in Redis (see RedisThrottlerStorage), so the limit holds across
 * replicas. If Redis is unreachable the request is let through and the failure logged: a rate
 * limiter must not take the API down with it.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly log = new Logger(RateLimitGuard.name);

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly quotas: QuotaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.throttlers = this.throttlers.map((throttler) => ({
      ...throttler,
      limit: (context: ExecutionContext) => this.limitFor(context),
    }));
  }

  /** Requests allowed per minute for this request's caller. */
  async limitFor(context: ExecutionContext): Promise<number> {
    const actor = context.switchToHttp().getRequest<RequestWithActor>().actor;
    if (!actor) return this.config.RATE_LIMIT_ANONYMOUS_PER_MINUTE;
    if (actor.kind === 'super_admin') return this.config.RATE_LIMIT_SUPER_ADMIN_PER_MINUTE;
    const quotas = await this.quotas.tenantQuotas(actor.tenantId);
    return (quotas ?? PLANS.starter).api_requests_per_minute;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return UNLIMITED_PATHS.test(context.switchToHttp().getRequest<FastifyRequest>().url);
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const { actor, ip } = request as { actor?: Actor; ip?: string };
    if (!actor) return Promise.resolve(`ip:${ip}`);
    if (actor.kind === 'super_admin') return Promise.resolve(`platform:${actor.userId}`);
    return Promise.resolve(`tenant:${actor.tenantId}:${actorKey(actor)}`);
  }

  /** One budget per caller across all routes, not one per route. */
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await super.canActivate(context);
    } catch (error) {
      if (error instanceof TooManyRequestsError) throw error;
      this.log.warn({ err: error }, 'Rate limiter unavailable; request let through');
      return true;
    }
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: { timeToBlockExpire: number; limit: number },
  ): Promise<void> {
    throw new TooManyRequestsError(
      detail.timeToBlockExpire,
      `Rate limit of ${detail.limit} requests per minute reached; retry after the Retry-After delay.`,
    );
  }
}
