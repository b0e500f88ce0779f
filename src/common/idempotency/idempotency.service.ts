import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { TenantDatabase } from '../../database/tenant-database.service';
import { TenantTransactionOptions } from '../../database/tenant-transaction';
import { Actor, actorKey, tenantIdOf } from '../auth/actor';
import { pendingStanding } from '../auth/standing';
import { BusinessRuleError } from '../errors/domain-error';
import { IdempotentOutcome } from './idempotent-outcome';
import { requestFingerprint } from './request-fingerprint';

export interface IdempotentRequest {
  actor: Actor;
  /** The Idempotency-Key header, or undefined when the client sent none. */
  key: string | undefined;
  method: string;
  url: string;
  body: unknown;
}

/**
 * Runs a state-changing request at most once per Idempotency-Key. The key row is inserted in the
 * SAME transaction as the change and holds the response, so:
 * - a concurrent duplicate blocks on the key's unique index until the first commits, then
 *   replays its response (or, if the first rolled back, runs itself): exactly one effect;
 * - a failed request leaves no key behind, so the client can retry it;
 * - a crash after commit cannot lose the stored response.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly database: TenantDatabase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  execute<T>(
    request: IdempotentRequest,
    status: number,
    work: (manager: EntityManager) => Promise<T>,
    transaction?: TenantTransactionOptions,
  ): Promise<IdempotentOutcome<T>> {
    const tenantId = tenantIdOf(request.actor);
    return this.database.run(
      tenantId,
      async (manager) => {
        if (request.key === undefined) return new IdempotentOutcome(status, await work(manager), false);

        const fingerprint = requestFingerprint(request.method, request.url, request.body);
        const actor = actorKey(request.actor);
        const inserted = (await manager.query(
          `INSERT INTO idempotency_keys (tenant_id, actor_id, key, method, path, request_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(hours => $7))
         ON CONFLICT (tenant_id, actor_id, key) DO NOTHING
         RETURNING key`,
          [
            tenantId,
            actor,
            request.key,
            request.method,
            request.url.slice(0, 500),
            fingerprint,
            this.config.IDEMPOTENCY_TTL_HOURS,
          ],
        )) as unknown[];

        if (inserted.length === 0) {
          const [first] = (await manager.query(
            `SELECT request_hash, status_code, response_body FROM idempotency_keys
            WHERE tenant_id = $1 AND actor_id = $2 AND key = $3`,
            [tenantId, actor, request.key],
          )) as Array<{ request_hash: string; status_code: number; response_body: T }>;
          if (first.request_hash !== fingerprint) {
            throw new BusinessRuleError(
              'idempotency_key_reused',
              'This Idempotency-Key was already used with a different request.',
            );
          }
          return new IdempotentOutcome(first.status_code, first.response_body, true);
        }

        const body = await work(manager);
        await manager.query(
          `UPDATE idempotency_keys SET status_code = $4, response_body = $5
          WHERE tenant_id = $1 AND actor_id = $2 AND key = $3`,
          [tenantId, actor, request.key, status, JSON.stringify(body)],
        );
        return new IdempotentOutcome(status, body, false);
      },
      // A caller whose token standing was left to this transaction (StandingCheckedInTransaction)
      // is checked as it opens.
      { ...transaction, standing: pendingStanding(request.actor) },
    );
  }
}
