import { createHash } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant, runWithoutTenant } from '../../src/database/tenant-transaction';
import { displayPrefix } from '../../src/modules/accounts/api-key-secret';
import { hashPassword } from '../../src/modules/accounts/passwords';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { factories } from '../support/factories';
import { ScopeProbeController } from '../support/scope-probe.controller';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';
const KEY_FIELDS = [
  'created_at',
  'created_by',
  'expires_at',
  'id',
  'last_used_at',
  'name',
  'prefix',
  'revoked_at',
  'scopes',
  'status',
];

describe('API keys', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let make: ReturnType<typeof factories>;
  let passwordHash: string;

  beforeAll(async () => {
    t = await startTestApp({ controllers: [ScopeProbeController] });
    dataSource = t.app.get(DataSource);
    make = factories(dataSource);
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(async () => t?.close());

  async function signedIn(tenant: TenantEntity, role: 'customer' | 'staff' | 'admin' | 'owner') {
    const email = `${role}-${Math.random().toString(36).slice(2)}@example.com`;
    const [user] = (await runInTenant(dataSource, tenant.id, (m) =>
      m.query(
        `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name)
         VALUES ($1, $2, $3, $4, 'Test', 'User') RETURNING id`,
        [tenant.id, email, passwordHash, role],
      ),
    )) as Array<{ id: string }>;
    const res = await request(t.server)
      .post('/api/auth/login')
      .send({ tenant: tenant.slug, email, password: PASSWORD });
    expect(res.status).toBe(200);
    return { id: user.id, token: res.body.access_token as string };
  }

  /** A tenant with an admin signed in. */
  async function adminOfNewTenant() {
    const tenant = await make.tenant();
    const admin = await signedIn(tenant, 'admin');
    return { tenant, admin };
  }

  const asUser = (token: string) => ({
    list: (query = '') => request(t.server).get(`/api/admin/api-keys${query}`).set('authorization', `Bearer ${token}`),
    create: (body: object) =>
      request(t.server).post('/api/admin/api-keys').set('authorization', `Bearer ${token}`).send(body),
    revoke: (id: string) =>
      request(t.server).delete(`/api/admin/api-keys/${id}`).set('authorization', `Bearer ${token}`),
  });

  async function newKey(token: string, scopes = ['customers:read'], extra: object = {}) {
    const res = await asUser(token).create({ name: 'POS', scopes, ...extra });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string; prefix: string; scopes: string[] };
  }

  /** Everything the API key routes could have written for a tenant. */
  async function stateOf(tenantId: string) {
    return runInTenant(dataSource, tenantId, async (m) => ({
      keys: await m.query(`SELECT * FROM api_keys ORDER BY id`),
      audit: await m.query(`SELECT action, target_id, after FROM audit_log ORDER BY occurred_at, id`),
    }));
  }

  const probe = (path: 'customers' | 'activities' | 'activities-or-admin', headers: Record<string, string>) => {
    const req =
      path === 'customers'
        ? request(t.server).get('/__scope-probe/customers')
        : request(t.server).post(`/__scope-probe/${path}`);
    for (const [name, value] of Object.entries(headers)) void req.set(name, value);
    return req;
  };
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  describe('management', () => {
    it('creates a key whose secret is shown once, stored only as a SHA-256, and audited without it', async () => {
      const { tenant, admin } = await adminOfNewTenant();
      const res = await asUser(admin.token).create({
        name: 'POS integration',
        scopes: ['activities:write', 'customers:read', 'activities:write'],
        expires_at: '2099-01-01T00:00:00Z',
      });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual([...KEY_FIELDS, 'secret'].sort());
      expect(res.body).toMatchObject({
        name: 'POS integration',
        scopes: ['activities:write', 'customers:read'],
        created_by: admin.id,
        last_used_at: null,
        expires_at: '2099-01-01T00:00:00.000Z',
        revoked_at: null,
        status: 'active',
      });
      const { secret, prefix, id } = res.body;
      expect(secret).toMatch(/^bk_[A-Za-z0-9_-]{22}_[a-z2-9]{8}_[A-Za-z0-9_-]{43}$/);
      expect(secret.startsWith(`${prefix}_`)).toBe(true);
      expect(prefix).toMatch(/^bk_[A-Za-z0-9_-]{22}_[a-z2-9]{8}$/);

      const { keys, audit } = await stateOf(tenant.id);
      expect(keys).toHaveLength(1);
      expect(keys[0].secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(prefix.endsWith(`_${keys[0].prefix}`)).toBe(true);
      expect(JSON.stringify(keys)).not.toContain(secret.slice(-43));
      expect(audit).toEqual([
        {
          action: 'api_key.created',
          target_id: id,
          after: {
            name: 'POS integration',
            prefix,
            scopes: ['activities:write', 'customers:read'],
            expires_at: '2099-01-01T00:00:00.000Z',
          },
        },
      ]);

      const listed = await asUser(admin.token).list();
      expect(listed.status).toBe(200);
      expect(listed.body.data).toHaveLength(1);
      expect(Object.keys(listed.body.data[0]).sort()).toEqual(KEY_FIELDS);
      expect(JSON.stringify(listed.body)).not.toContain(secret.slice(-43));
      expect(JSON.stringify(listed.body)).not.toContain(keys[0].secret_hash);
    });

    it('lists the tenant’s keys newest first, page by page, with their status', async () => {
      const { tenant, admin } = await adminOfNewTenant();
      const other = await adminOfNewTenant();
      await newKey(other.admin.token);
      const created: Array<{ id: string; secret: string }> = [];
      for (let i = 0; i < 5; i++) created.push(await newKey(admin.token));
      await runInTenant(dataSource, tenant.id, (m) =>
        m.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [created[1].id]),
      );
      expect((await asUser(admin.token).revoke(created[2].id)).status).toBe(204);

      const seen: Array<{ id: string; status: string }> = [];
      let cursor: string | null = null;
      do {
        const res = await asUser(admin.token).list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data);
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen.map((key) => key.id)).toEqual(created.map((key) => key.id).reverse());
      expect(seen.map((key) => key.status)).toEqual(['active', 'active', 'revoked', 'expired', 'active']);

      const badCursor = await asUser(admin.token).list('?cursor=nonsense');
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    });

    it.each([
      [{ name: 'k', scopes: ['customers:read', 'admin:everything'] }, 'scopes', /admin:everything/],
      [{ name: 'k', scopes: [] }, 'scopes', /./],
      [{ name: 'k' }, 'scopes', /./],
      [{ name: '', scopes: ['customers:read'] }, 'name', /./],
      [{ name: 'k', scopes: ['customers:read'], expires_at: '2001-01-01T00:00:00Z' }, 'expires_at', /future/],
      [{ name: 'k', scopes: ['customers:read'], expires_at: 'tomorrow' }, 'expires_at', /./],
      [{ name: 'k', scopes: ['customers:read'], tenant_id: '00000000-0000-4000-8000-000000000000' }, 'tenant_id', /./],
    ])('refuses %j with 400 on the field and writes nothing', async (body, field, message) => {
      const { tenant, admin } = await adminOfNewTenant();
      const res = await asUser(admin.token).create(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toContainEqual({ field, message: expect.stringMatching(message) });
      expect(await stateOf(tenant.id)).toEqual({ keys: [], audit: [] });
    });

    it('is for admins and owners only: staff, customers and API keys get 403 and change nothing', async () => {
      const { tenant, admin } = await adminOfNewTenant();
      const key = await newKey(admin.token, ['customers:read', 'webhooks:manage']);
      const owner = await signedIn(tenant, 'owner');
      expect((await asUser(owner.token).list()).status).toBe(200);
      const before = await stateOf(tenant.id);

      for (const role of ['staff', 'customer'] as const) {
        const { token } = await signedIn(tenant, role);
        for (const res of [
          await asUser(token).list(),
          await asUser(token).create({ name: 'x', scopes: ['customers:read'] }),
          await asUser(token).revoke(key.id),
        ]) {
          expect(res.status).toBe(403);
          expect(res.body.code).toBe('insufficient_role');
        }
      }
      for (const res of [
        await request(t.server).get('/api/admin/api-keys').set(bearer(key.secret)),
        await request(t.server)
          .post('/api/admin/api-keys')
          .set('x-api-key', key.secret)
          .send({ name: 'x', scopes: ['customers:read'] }),
        await request(t.server).delete(`/api/admin/api-keys/${key.id}`).set(bearer(key.secret)),
      ]) {
        expect(res.status).toBe(403);
      }
      // Presenting the key is a use of it (last_used_at); nothing else may change.
      const withoutUse = (keys: Array<Record<string, unknown>>) => keys.map(({ last_used_at: _, ...key }) => key);
      const after = await stateOf(tenant.id);
      expect(withoutUse(after.keys)).toEqual(withoutUse(before.keys));
      expect(after.audit).toEqual(before.audit);
      expect((await request(t.server).get('/api/admin/api-keys')).status).toBe(401);
    });

    it('revokes a key at once, audits it, and answers 204 again without changing anything', async () => {
      const { tenant, admin } = await adminOfNewTenant();
      const key = await newKey(admin.token);
      expect((await probe('customers', bearer(key.secret))).status).toBe(200);

      const res = await asUser(admin.token).revoke(key.id);
      expect(res.status).toBe(204);
      const after = await stateOf(tenant.id);
      expect(after.keys[0].revoked_at).toBeInstanceOf(Date);
      expect(after.audit.map((entry: { action: string }) => entry.action)).toEqual([
        'api_key.created',
        'api_key.revoked',
      ]);
      expect(after.audit[1]).toMatchObject({ target_id: key.id, after: { status: 'revoked', prefix: key.prefix } });

      const refused = await probe('customers', bearer(key.secret));
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('api_key_revoked');

      const again = await asUser(admin.token).revoke(key.id);
      expect(again.status).toBe(204);
      expect(await stateOf(tenant.id)).toEqual(after);

      const listed = await asUser(admin.token).list();
      expect(listed.body.data[0]).toMatchObject({ id: key.id, status: 'revoked', revoked_at: expect.any(String) });
    });

    it('answers 404 for another tenant’s key or an unknown id, and changes nothing', async () => {
      const a = await adminOfNewTenant();
      const b = await adminOfNewTenant();
      const keyOfB = await newKey(b.admin.token);
      const before = await stateOf(b.tenant.id);
      for (const id of [keyOfB.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const res = await asUser(a.admin.token).revoke(id);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      expect(await stateOf(b.tenant.id)).toEqual(before);
      expect(await stateOf(a.tenant.id)).toEqual({ keys: [], audit: [] });
      expect((await probe('customers', bearer(keyOfB.secret))).status).toBe(200);
    });

    it('is documented in the OpenAPI document, with the scopes and the one-time secret', async () => {
      const res = await request(t.server).get('/docs-json');
      const paths = res.body.paths;
      expect(Object.keys(paths['/api/admin/api-keys']).sort()).toEqual(['get', 'post']);
      expect(Object.keys(paths['/api/admin/api-keys/{id}'])).toEqual(['delete']);
      const schemas = res.body.components.schemas;
      expect(schemas.CreatedApiKeyDto.properties.secret).toBeDefined();
      expect(schemas.ApiKeyDto.properties.secret).toBeUndefined();
      expect(schemas.CreateApiKeyDto.properties.scopes.items.enum).toContain('webhooks:manage');
      expect(schemas.CreateApiKeyDto.properties.scopes.description).toContain('activities:write');
    });
  });

  describe('as a credential', () => {
    it('resolves from Authorization: Bearer or X-API-Key to the key’s tenant and scopes', async () => {
      const { tenant, admin } = await adminOfNewTenant();
      const key = await newKey(admin.token, ['customers:read']);
      const expected = { kind: 'api_key', keyId: key.id, tenantId: tenant.id, scopes: ['customers:read'] };
      for (const headers of [
        bearer(key.secret),
        { 'x-api-key': key.secret },
        { ...bearer(key.secret), 'x-api-key': key.secret },
      ]) {
        const res = await probe('customers', headers);
        expect(res.status).toBe(200);
        expect(res.body).toEqual(expected);
      }
    });

    it('refuses two different credentials in one request with 400 conflicting_credentials', async () => {
      const { admin } = await adminOfNewTenant();
      const first = await newKey(admin.token);
      const second = await newKey(admin.token);
      for (const authorization of [`Bearer ${second.secret}`, `Bearer ${admin.token}`]) {
        const res = await probe('customers', { authorization, 'x-api-key': first.secret });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('conflicting_credentials');
      }
    });

    it('answers 401 invalid_api_key to unknown, malformed and wrong-secret keys', async () => {
      const { tenant, admin } = await adminOfNewTenant();
      const key = await newKey(admin.token);
      const lastChar = key.secret.endsWith('A') ? 'B' : 'A';
      const candidates = [
        `${key.secret.slice(0, -1)}${lastChar}`,
        `${displayPrefix(tenant.id, 'zzzzzzzz')}_${key.secret.slice(-43)}`,
        'bk_nonsense',
        `${key.secret}x`,
      ];
      for (const candidate of candidates) {
        for (const headers of [bearer(candidate), { 'x-api-key': candidate }]) {
          const res = await probe('customers', headers);
          expect(res.status).toBe(401);
          expect(res.body.code).toBe('invalid_api_key');
        }
      }
      const notAKey = await probe('customers', { 'x-api-key': 'hunter2' });
      expect(notAKey.status).toBe(401);
      expect(notAKey.body.code).toBe('invalid_api_key');
      const keys = (await stateOf(tenant.id)).keys;
      expect(keys[0].last_used_at).toBeNull();
    });

    it('answers 401 api_key_expired once the key has expired', async () => {
      const { tenant, admin } = await adminOfNewTenant();
      const key = await newKey(admin.token);
      await runInTenant(dataSource, tenant.id, (m) =>
        m.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [key.id]),
      );
      const res = await probe('customers', { 'x-api-key': key.secret });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('api_key_expired');
    });

    it('answers 403 tenant_suspended while the tenant is suspended', async () => {
      const { tenant, admin } = await adminOfNewTenant();
      const key = await newKey(admin.token);
      const setStatus = (status: string) =>
        runWithoutTenant(dataSource, (m) =>
          m.query(`UPDATE tenants SET status = $2 WHERE id = $1`, [tenant.id, status]),
        );
      await setStatus('suspended');
      const res = await probe('customers', bearer(key.secret));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('tenant_suspended');
      expect((await stateOf(tenant.id)).keys[0].last_used_at).toBeNull();
      await setStatus('active');
      expect((await probe('customers', bearer(key.secret))).status).toBe(200);
    });

    it('records last use at most once a minute', async () => {
      const { tenant, admin } = await adminOfNewTenant();
      const key = await newKey(admin.token);
      const lastUsed = async () =>
        ((await stateOf(tenant.id)).keys[0].last_used_at as Date | null)?.toISOString() ?? null;

      expect((await probe('customers', bearer(key.secret))).status).toBe(200);
      const first = await lastUsed();
      expect(first).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (let i = 0; i < 3; i++) expect((await probe('customers', bearer(key.secret))).status).toBe(200);
      expect(await lastUsed()).toBe(first);

      await runInTenant(dataSource, tenant.id, (m) =>
        m.query(`UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE id = $1`, [key.id]),
      );
      const stale = await lastUsed();
      expect((await probe('customers', bearer(key.secret))).status).toBe(200);
      const refreshed = await lastUsed();
      expect(refreshed! > stale!).toBe(true);
      expect((await asUser(admin.token).list()).body.data[0].last_used_at).toBe(refreshed);
    });

    it('acts only within its scopes: 403 insufficient_scope naming the missing one', async () => {
      const { admin } = await adminOfNewTenant();
      const reader = await newKey(admin.token, ['customers:read']);
      const writer = await newKey(admin.token, ['activities:write']);

      expect((await probe('customers', bearer(reader.secret))).status).toBe(200);
      const refused = await probe('activities', bearer(reader.secret));
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('insufficient_scope');
      expect(refused.body.required_scopes).toEqual(['activities:write']);
      expect(refused.body.detail).toContain('activities:write');

      expect((await probe('activities', { 'x-api-key': writer.secret })).status).toBe(201);
      const either = await probe('activities-or-admin', bearer(reader.secret));
      expect(either.status).toBe(403);
      expect(either.body.code).toBe('insufficient_scope');
      expect((await probe('activities-or-admin', bearer(writer.secret))).status).toBe(201);
      expect((await probe('activities-or-admin', bearer(admin.token))).status).toBe(201);
      const jwtOnKeyRoute = await probe('activities', bearer(admin.token));
      expect(jwtOnKeyRoute.status).toBe(403);
      expect(jwtOnKeyRoute.body.code).toBe('insufficient_role');
    });

    it('cannot reach role or signed-in routes, whatever its scopes', async () => {
      const { admin } = await adminOfNewTenant();
      const key = await newKey(admin.token, ['customers:read', 'customers:write', 'webhooks:manage']);
      for (const path of ['/api/admin/api-keys', '/api/admin/users', '/api/auth/user', '/api/admin/audit-log']) {
        const res = await request(t.server).get(path).set(bearer(key.secret));
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
      }
    });

    it('cannot be moved to another tenant by pasting that tenant’s id into it', async () => {
      const a = await adminOfNewTenant();
      const b = await adminOfNewTenant();
      const keyOfA = await newKey(a.admin.token, ['customers:read']);
      const keyOfB = await newKey(b.admin.token, ['customers:read']);
      const prefixOfA = keyOfA.prefix.slice(-8);
      const secretOfA = keyOfA.secret.slice(-43);
      // Tenant B also holds a key with A's prefix: the lookup finds it, and the hash still refuses.
      await runInTenant(dataSource, b.tenant.id, (m) =>
        m.query(
          `INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, scopes) VALUES ($1, 'twin', $2, $3, '{customers:read}')`,
          [b.tenant.id, prefixOfA, 'f'.repeat(64)],
        ),
      );
      const forgeries = [`${displayPrefix(b.tenant.id, prefixOfA)}_${secretOfA}`, `${keyOfB.prefix}_${secretOfA}`];
      for (const forged of forgeries) {
        const res = await probe('customers', bearer(forged));
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('invalid_api_key');
      }
      const genuine = await probe('customers', bearer(keyOfA.secret));
      expect(genuine.body.tenantId).toBe(a.tenant.id);
    });
  });
});
