import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { customerFixtures } from './customers-fixtures';

describe('customers: tenant servers by external id (API keys)', () => {
  let t: TestApp;
  let fx: ReturnType<typeof customerFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = customerFixtures(t);
  });
  afterAll(async () => t?.close());

  async function setUp(plan = 'starter') {
    const { tenant, programId } = await fx.tenantWithProgram({ type: 'never' }, { plan });
    const key = await fx.apiKey(tenant, ['customers:write', 'customers:read']);
    return { tenant, programId, key };
  }

  const put = (key: string, externalId: string, body: object, path = 'external/') =>
    request(t.server).put(`/api/customers/${path}${externalId}`).set('x-api-key', key).send(body);
  const get = (key: string, externalId: string) =>
    request(t.server).get(`/api/customers/external/${externalId}`).set('x-api-key', key);

  const rows = (tenantId: string) =>
    fx.inTenant<Array<Record<string, unknown>>>(
      tenantId,
      `SELECT external_id, email, first_name, last_name, segments FROM customers ORDER BY created_at`,
    );

  it('creates (201), then updates only the fields given (200), and reads back by external id', async () => {
    const { tenant, key } = await setUp();
    const created = await put(key, 'C-1042', { email: 'ann@example.com', first_name: 'Ann', segments: ['vip'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      external_id: 'C-1042',
      email: 'ann@example.com',
      first_name: 'Ann',
      segments: ['vip'],
      balance: 0,
      tier: null,
    });

    const updated = await put(key, 'C-1042', { last_name: 'Lee', preferences: { newsletter: 'weekly' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id: created.body.id,
      email: 'ann@example.com',
      first_name: 'Ann',
      last_name: 'Lee',
      preferences: { newsletter: 'weekly' },
    });

    const read = await get(key, 'C-1042');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(updated.body);
    expect(await rows(tenant.id)).toHaveLength(1);

    const audit = await fx.inTenant<Array<{ action: string; actor_type: string }>>(
      tenant.id,
      `SELECT action, actor_type FROM audit_log WHERE target_type = 'customer' ORDER BY occurred_at`,
    );
    expect(audit).toEqual([
      { action: 'customer.created', actor_type: 'api_key' },
      { action: 'customer.updated', actor_type: 'api_key' },
    ]);
  });

  it('answers the same at the contract path PUT /api/customers/{external_id}', async () => {
    const { tenant, key } = await setUp();
    expect((await put(key, 'POS-9', { first_name: 'Bo' }, '')).status).toBe(201);
    expect((await put(key, 'POS-9', { first_name: 'Bob' }, '')).status).toBe(200);
    expect((await get(key, 'POS-9')).body.first_name).toBe('Bob');
    expect(await rows(tenant.id)).toHaveLength(1);
  });

  // Starter checks the quota (an advisory lock serializes creators); enterprise has no customer
  // quota, so only the unique index and ON CONFLICT stand between the racers.
  it.each(['starter', 'enterprise'])(
    'creates exactly one customer when 20 upserts of a new external id race (%s)',
    async (plan) => {
      const { tenant, key } = await setUp(plan);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, index) => put(key, 'RACE-1', { first_name: `N${index}` })),
      );
      const statuses = responses.map((res) => res.status).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(19);
      expect(new Set(responses.map((res) => res.body.id)).size).toBe(1);
      expect(await rows(tenant.id)).toHaveLength(1);
      expect(await fx.inTenant(tenant.id, `SELECT 1 FROM outbox WHERE event_type = 'customer.created'`)).toHaveLength(
        1,
      );
    },
  );

  it('creates one customer per external id when different ids race, all counted against the quota', async () => {
    const { tenant, key } = await setUp();
    const responses = await Promise.all(Array.from({ length: 10 }, (_, index) => put(key, `P-${index}`, {})));
    expect(responses.every((res) => res.status === 201)).toBe(true);
    expect(await rows(tenant.id)).toHaveLength(10);
  });

  it('checks the quota on create only: an update at the limit still works', async () => {
    const { tenant, key } = await setUp();
    expect((await put(key, 'KEEP', { first_name: 'Kept' })).status).toBe(201);
    await fx.inTenant(tenant.id, `INSERT INTO customers (tenant_id) SELECT $1 FROM generate_series(1, 999)`, [
      tenant.id,
    ]);
    const refused = await put(key, 'NEW', { first_name: 'New' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('quota_exceeded');
    expect((await get(key, 'NEW')).status).toBe(404);
    const update = await put(key, 'KEEP', { first_name: 'Still kept' });
    expect(update.status).toBe(200);
  });

  it('refuses keys without the scope with 403 insufficient_scope, and changes nothing', async () => {
    const { tenant, key } = await setUp();
    await put(key, 'C-1', { first_name: 'Ann' });
    const readOnly = await fx.apiKey(tenant, ['customers:read']);
    const writeOnly = await fx.apiKey(tenant, ['customers:write']);
    const unrelated = await fx.apiKey(tenant, ['activities:write']);

    for (const other of [readOnly, unrelated]) {
      const res = await put(other, 'C-1', { first_name: 'Changed' });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'insufficient_scope', required_scopes: ['customers:write'] });
      expect((await put(other, 'C-NEW', {})).status).toBe(403);
    }
    for (const other of [writeOnly, unrelated]) {
      const res = await get(other, 'C-1');
      expect(res.status).toBe(403);
      expect(res.body.required_scopes).toEqual(['customers:read']);
    }
    expect((await get(readOnly, 'C-1')).body.first_name).toBe('Ann');
    expect(await rows(tenant.id)).toEqual([expect.objectContaining({ external_id: 'C-1', first_name: 'Ann' })]);
  });

  it('is for API keys only: staff and customers get 403', async () => {
    const { tenant } = await setUp();
    const admin = await fx.staffToken(tenant, 'owner');
    const customer = await fx.appCustomer(tenant);
    for (const token of [admin, customer.token]) {
      expect((await request(t.server).put('/api/customers/external/X').set(fx.bearer(token)).send({})).status).toBe(
        403,
      );
      expect((await request(t.server).get('/api/customers/external/X').set(fx.bearer(token))).status).toBe(403);
    }
    expect(await fx.inTenant(tenant.id, `SELECT 1 FROM customers WHERE external_id = 'X'`)).toHaveLength(0);
  });

  it('keeps tenants apart: another tenant’s key neither sees nor changes the customer', async () => {
    const mine = await setUp();
    const theirs = await setUp();
    await put(mine.key, 'SHARED', { first_name: 'Mine' });
    expect((await get(theirs.key, 'SHARED')).status).toBe(404);
    const created = await put(theirs.key, 'SHARED', { first_name: 'Theirs' });
    expect(created.status).toBe(201);
    expect((await get(mine.key, 'SHARED')).body.first_name).toBe('Mine');
  });

  it('refuses a malformed external id or body with 400 naming the field, and writes nothing', async () => {
    const { tenant, key } = await setUp();
    const badId = await put(key, encodeURIComponent('has space'), {});
    expect(badId.status).toBe(400);
    expect(badId.body.errors.map((error: { field: string }) => error.field)).toEqual(['external_id']);
    for (const [body, field] of [
      [{ email: 'nope' }, 'email'],
      [{ preferences: 'dark' }, 'preferences'],
      [{ preferences: { blob: 'x'.repeat(9000) } }, 'preferences'],
      [{ external_id: 'OTHER' }, 'external_id'],
      [{ status: 'erased' }, 'status'],
      [{ first_name: null }, 'first_name'],
    ] as Array<[object, string]>) {
      const res = await put(key, 'OK-1', body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    expect(await rows(tenant.id)).toEqual([]);
    expect((await get(key, 'UNKNOWN')).status).toBe(404);
  });
});
