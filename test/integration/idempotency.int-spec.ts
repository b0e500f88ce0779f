import { DataSource } from 'typeorm';
import { Actor } from '../../src/common/auth/actor';
import { BusinessRuleError } from '../../src/common/errors/domain-error';
import { IdempotencyService } from '../../src/common/idempotency/idempotency.service';
import { loadConfig } from '../../src/config/configuration';
import { createDataSource } from '../../src/database/data-source';
import { runInTenant } from '../../src/database/tenant-transaction';
import { TenantDatabase } from '../../src/database/tenant-database.service';
import { factories } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('IdempotencyService', () => {
  let database: TestDatabase;
  let app: DataSource;
  let idempotency: IdempotencyService;
  let make: ReturnType<typeof factories>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createDataSource({ url: database.appUrl, poolSize: 12 }).initialize();
    idempotency = new IdempotencyService(new TenantDatabase(app), loadConfig());
    make = factories(app);
  });

  afterAll(async () => {
    await app?.destroy();
    await database?.drop();
  });

  const actorOf = (tenantId: string): Actor => ({ kind: 'api_key', keyId: 'k1', tenantId, scopes: [] });

  /** The side effect under test: one audit row per execution of `work`. */
  const effect = (tenantId: string, marker: string) => async (manager: import('typeorm').EntityManager) => {
    await manager.query(
      `INSERT INTO audit_log (tenant_id, actor_type, action, target_type, target_id) VALUES ($1, 'system', 'probe', 'probe', $2)`,
      [tenantId, marker],
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { marker, at: Date.now() };
  };

  const effects = async (tenantId: string) =>
    (await runInTenant(app, tenantId, (m) => m.query(`SELECT count(*)::int AS n FROM audit_log`)))[0].n as number;

  it('has exactly one effect for ten concurrent requests with the same key, and replays the first response', async () => {
    const tenant = await make.tenant();
    const request = { actor: actorOf(tenant.id), key: 'k-1', method: 'POST', url: '/api/x', body: { a: 1, b: [2] } };
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => idempotency.execute(request, 201, effect(tenant.id, 'once'))),
    );
    expect(await effects(tenant.id)).toBe(1);
    expect(outcomes.filter((outcome) => !outcome.replayed)).toHaveLength(1);
    const first = outcomes.find((outcome) => !outcome.replayed)!;
    for (const outcome of outcomes) {
      expect(outcome.status).toBe(201);
      expect(outcome.body).toEqual(first.body);
    }
  });

  it('treats a reordered body as the same request and another body as a reused key', async () => {
    const tenant = await make.tenant();
    const base = { actor: actorOf(tenant.id), key: 'k-2', method: 'POST', url: '/api/x' };
    await idempotency.execute({ ...base, body: { a: 1, b: 2 } }, 201, effect(tenant.id, 'a'));
    const replay = await idempotency.execute({ ...base, body: { b: 2, a: 1 } }, 201, effect(tenant.id, 'b'));
    expect(replay.replayed).toBe(true);
    await expect(
      idempotency.execute({ ...base, body: { a: 1, b: 3 } }, 201, effect(tenant.id, 'c')),
    ).rejects.toMatchObject({ code: 'idempotency_key_reused' } satisfies Partial<BusinessRuleError>);
    expect(await effects(tenant.id)).toBe(1);
  });

  it('keeps no key when the request fails, so a retry runs', async () => {
    const tenant = await make.tenant();
    const request = { actor: actorOf(tenant.id), key: 'k-3', method: 'POST', url: '/api/x', body: {} };
    await expect(
      idempotency.execute(request, 201, async (manager) => {
        await effect(tenant.id, 'failed')(manager);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await effects(tenant.id)).toBe(0);
    const retry = await idempotency.execute(request, 201, effect(tenant.id, 'retried'));
    expect(retry.replayed).toBe(false);
    expect(await effects(tenant.id)).toBe(1);
  });

  it('scopes keys to the credential: another caller with the same key runs on its own', async () => {
    const tenant = await make.tenant();
    const body = { a: 1 };
    await idempotency.execute(
      { actor: actorOf(tenant.id), key: 'shared', method: 'POST', url: '/x', body },
      201,
      effect(tenant.id, '1'),
    );
    const other: Actor = { kind: 'api_key', keyId: 'k2', tenantId: tenant.id, scopes: [] };
    const second = await idempotency.execute(
      { actor: other, key: 'shared', method: 'POST', url: '/x', body },
      201,
      effect(tenant.id, '2'),
    );
    expect(second.replayed).toBe(false);
    expect(await effects(tenant.id)).toBe(2);
  });
});
