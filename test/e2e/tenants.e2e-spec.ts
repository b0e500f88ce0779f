import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { QuotaExceededError } from '../../src/common/errors/domain-error';
import { TenantDatabase } from '../../src/database/tenant-database.service';
import { runInTenant, runWithoutTenant } from '../../src/database/tenant-transaction';
import { hashPassword } from '../../src/modules/accounts/passwords';
import { upsertSuperAdmin } from '../../src/modules/accounts/super-admins';
import { PLANS } from '../../src/modules/tenants/plans';
import { QuotaService } from '../../src/modules/tenants/quota.service';
import { DEFAULT_SETTINGS } from '../../src/modules/tenants/tenant-settings';
import { factories } from '../support/factories';
import { openApiErrors } from '../support/openapi-validator';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';
const unique = () => randomBytes(4).toString('hex');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('tenants', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let make: ReturnType<typeof factories>;
  let superToken: string;
  let superAdminId: string;

  const login = (body: object) => request(t.server).post('/api/auth/login').send(body);
  const asSuper = () => ({
    get: (path: string) => request(t.server).get(path).set(bearer(superToken)),
    post: (path: string, body?: object) => request(t.server).post(path).set(bearer(superToken)).send(body),
    patch: (path: string, body: object) => request(t.server).patch(path).set(bearer(superToken)).send(body),
  });

  const provisionBody = (overrides: Record<string, unknown> = {}) => ({
    name: 'Acme Coffee',
    slug: `acme-${unique()}`,
    plan: 'starter',
    owner: { email: `owner-${unique()}@acme.example`, password: PASSWORD, first_name: 'Olive', last_name: 'Owner' },
    ...overrides,
  });

  async function provisioned(overrides: Record<string, unknown> = {}) {
    const body = provisionBody(overrides);
    const res = await asSuper().post('/api/admin/tenants', body);
    expect(res.status).toBe(201);
    const ownerToken = (await login({ tenant: body.slug, email: body.owner.email, password: PASSWORD })).body
      .access_token as string;
    return { body, res, tenantId: res.body.tenant.id as string, ownerToken };
  }

  /** A member of a tenant created directly (the staff API belongs to another module), signed in. */
  async function member(tenantId: string, slug: string, role: 'customer' | 'staff' | 'admin') {
    const email = `${role}-${unique()}@example.com`;
    await runInTenant(dataSource, tenantId, async (m) => {
      const [user] = (await m.query(
        `INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING id`,
        [tenantId, email, await hashPassword(PASSWORD), role],
      )) as Array<{ id: string }>;
      // A customer who signs in is also a customers row with the same id (as registration makes).
      if (role === 'customer') {
        await m.query(`INSERT INTO customers (tenant_id, id, email) VALUES ($1, $2, $3)`, [tenantId, user.id, email]);
      }
    });
    const res = await login({ tenant: slug, email, password: PASSWORD });
    expect(res.status).toBe(200);
    return { email, token: res.body.access_token as string };
  }

  const tenantsWithSlug = async (slug: string) =>
    (await runWithoutTenant(dataSource, (m) => m.query(`SELECT id FROM tenants WHERE slug = $1`, [slug]))) as Array<{
      id: string;
    }>;
  const tenantCount = async () =>
    (
      (await runWithoutTenant(dataSource, (m) => m.query(`SELECT count(*)::int AS n FROM tenants`))) as [{ n: number }]
    )[0].n;
  const tenantRow = async (id: string) =>
    (
      (await runWithoutTenant(dataSource, (m) =>
        m.query(`SELECT name, plan, status, slug, settings FROM tenants WHERE id = $1`, [id]),
      )) as Array<Record<string, unknown>>
    )[0];
  /** The tenant.* entries (other modules audit logins and more in the same log). */
  const auditActions = async (tenantId: string) =>
    (
      (await runInTenant(dataSource, tenantId, (m) =>
        m.query(`SELECT action FROM audit_log WHERE action LIKE 'tenant.%' ORDER BY occurred_at`),
      )) as Array<{ action: string }>
    ).map((row) => row.action);

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    make = factories(dataSource);
    superAdminId = await upsertSuperAdmin(dataSource, 'root@platform.test', PASSWORD);
    const res = await login({ email: 'root@platform.test', password: PASSWORD });
    expect(res.status).toBe(200);
    superToken = res.body.access_token;
  });
  afterAll(async () => t?.close());

  describe('provisioning', () => {
    it('creates the tenant, its owner, its settings and a default program in one go', async () => {
      const body = provisionBody({
        name: 'Bean There',
        plan: 'growth',
        settings: { loyalty: { currency: 'GBP', time_zone: 'Europe/London' }, branding: { primary_color: '#112233' } },
      });
      const res = await asSuper().post('/api/admin/tenants', body);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        tenant: {
          id: expect.any(String),
          slug: body.slug,
          name: 'Bean There',
          status: 'active',
          plan: 'growth',
          quotas: PLANS.growth,
          settings: {
            ...DEFAULT_SETTINGS,
            loyalty: { currency: 'GBP', time_zone: 'Europe/London' },
            branding: { ...DEFAULT_SETTINGS.branding, primary_color: '#112233' },
          },
          created_at: expect.any(String),
          updated_at: expect.any(String),
        },
        owner: { id: expect.any(String), email: body.owner.email, role: 'owner', password_set: true },
        default_program: { id: expect.any(String), name: 'Bean There Rewards' },
      });
      const tenantId = res.body.tenant.id as string;

      const programs = await runInTenant(dataSource, tenantId, (m) =>
        m.query(`SELECT id, name, is_default FROM programs`),
      );
      expect(programs).toEqual([{ id: res.body.default_program.id, name: 'Bean There Rewards', is_default: true }]);

      // The owner signs in with the password given at provisioning and is the tenant's owner.
      const signIn = await login({ tenant: body.slug, email: body.owner.email, password: PASSWORD });
      expect(signIn.status).toBe(200);
      const me = await request(t.server).get('/api/auth/user').set(bearer(signIn.body.access_token));
      expect(me.body).toMatchObject({
        id: res.body.owner.id,
        role: 'owner',
        first_name: 'Olive',
        tenant: { id: tenantId, slug: body.slug, name: 'Bean There' },
      });

      // The provisioning is in the tenant's own audit log, by the super admin, for its owner to read.
      const audit = await request(t.server)
        .get('/api/admin/audit-log?action=tenant.provisioned')
        .set(bearer(signIn.body.access_token));
      expect(audit.status).toBe(200);
      expect(audit.body.data).toHaveLength(1);
      expect(audit.body.data[0]).toMatchObject({
        action: 'tenant.provisioned',
        actor: { type: 'super_admin', id: superAdminId },
        target: { type: 'tenant', id: tenantId },
        after: { slug: body.slug, plan: 'growth', owner: { id: res.body.owner.id } },
      });
    });

    it('creates an owner without a password, who cannot sign in until one is set', async () => {
      const body = provisionBody({ owner: { email: `nopass-${unique()}@acme.example` } });
      const res = await asSuper().post('/api/admin/tenants', body);
      expect(res.status).toBe(201);
      expect(res.body.owner).toMatchObject({ role: 'owner', password_set: false });
      const [owner] = await runInTenant(dataSource, res.body.tenant.id, (m) =>
        m.query(`SELECT password_hash, first_name FROM users WHERE id = $1`, [res.body.owner.id]),
      );
      expect(owner).toEqual({ password_hash: null, first_name: '' });
      const signIn = await login({ tenant: body.slug, email: body.owner.email, password: PASSWORD });
      expect(signIn.status).toBe(401);
    });

    it('cuts the default program name to fit when the tenant name is long', async () => {
      const name = 'N'.repeat(200);
      const res = await asSuper().post('/api/admin/tenants', provisionBody({ name }));
      expect(res.status).toBe(201);
      expect(res.body.default_program.name).toBe(`${'N'.repeat(92)} Rewards`);
    });

    it.each([
      ['ab', /3 to 40/],
      ['x'.repeat(41), /3 to 40/],
      ['Acme-Coffee', /lowercase/],
      ['acme_coffee', /lowercase/],
      ['-acme', /start and end/],
      ['acme-', /start and end/],
      ['admin', /reserved/],
      ['api', /reserved/],
      ['www', /reserved/],
      ['platform', /reserved/],
      ['beacon', /reserved/],
      ['docs', /reserved/],
    ])('refuses the slug %p with its reason and writes nothing', async (slug, reason) => {
      const before = await tenantCount();
      const res = await asSuper().post('/api/admin/tenants', provisionBody({ slug }));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual([{ field: 'slug', message: expect.stringMatching(reason) }]);
      expect(await tenantCount()).toBe(before);
    });

    it('refuses an unknown plan, listing the valid ones, and writes nothing', async () => {
      const body = provisionBody({ plan: 'platinum' });
      const res = await asSuper().post('/api/admin/tenants', body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'plan', message: expect.stringContaining('starter, growth, enterprise') },
      ]);
      expect(await tenantsWithSlug(body.slug)).toEqual([]);
    });

    it('refuses a weak owner password on owner.password and creates no tenant', async () => {
      const before = await tenantCount();
      for (const password of ['short', 'owner@acme.example']) {
        const body = provisionBody({ owner: { email: 'owner@acme.example', password } });
        const res = await asSuper().post('/api/admin/tenants', body);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([{ field: 'owner.password', message: expect.any(String) }]);
        expect(await tenantsWithSlug(body.slug)).toEqual([]);
      }
      expect(await tenantCount()).toBe(before);
    });

    it('refuses bad settings with their field paths and writes nothing', async () => {
      const before = await tenantCount();
      const body = provisionBody({
        settings: {
          loyalty: { time_zone: 'Mars/Olympus', currency: 'pounds' },
          security: { refresh_token_ttl_days: 0 },
          billing: { card: 'x' },
        },
      });
      const res = await asSuper().post('/api/admin/tenants', body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'settings.billing',
        'settings.loyalty.currency',
        'settings.loyalty.time_zone',
        'settings.security.refresh_token_ttl_days',
      ]);
      expect(await tenantCount()).toBe(before);
    });

    it('refuses missing and malformed fields by name', async () => {
      const res = await asSuper().post('/api/admin/tenants', { name: '', slug: 'fine-slug', owner: { email: 'nope' } });
      expect(res.status).toBe(400);
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['name', 'plan', 'owner.email']));
      expect(await tenantsWithSlug('fine-slug')).toEqual([]);
    });

    it('answers 409 slug_taken for a slug in use and leaves the existing tenant alone', async () => {
      const { body, tenantId } = await provisioned();
      const before = await tenantCount();
      const res = await asSuper().post('/api/admin/tenants', provisionBody({ slug: body.slug, name: 'Impostor' }));
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('slug_taken');
      expect(await tenantCount()).toBe(before);
      expect((await tenantRow(tenantId)).name).toBe('Acme Coffee');
      const users = await runInTenant(dataSource, tenantId, (m) => m.query(`SELECT email FROM users`));
      expect(users).toEqual([{ email: body.owner.email }]);
    });

    it('provisions exactly one tenant when the same slug is requested concurrently', async () => {
      const slug = `race-${unique()}`;
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          asSuper().post('/api/admin/tenants', provisionBody({ slug, name: `Racer ${i}` })),
        ),
      );
      expect(answers.map((res) => res.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      for (const res of answers.filter((r) => r.status === 409)) expect(res.body.code).toBe('slug_taken');
      const winner = answers.find((res) => res.status === 201)!;
      const rows = await tenantsWithSlug(slug);
      expect(rows).toEqual([{ id: winner.body.tenant.id }]);
      const [counts] = await runInTenant(dataSource, rows[0].id, (m) =>
        m.query(`SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM programs) AS programs,
                        (SELECT count(*)::int FROM audit_log) AS audit`),
      );
      expect(counts).toEqual({ users: 1, programs: 1, audit: 1 });
    });

    it('is for super admins only: tenant owners, customers and anonymous callers write nothing', async () => {
      const { body: existing, tenantId, ownerToken } = await provisioned();
      const customer = await member(tenantId, existing.slug, 'customer');
      const before = await tenantCount();
      const body = provisionBody();
      for (const token of [ownerToken, customer.token]) {
        const res = await request(t.server).post('/api/admin/tenants').set(bearer(token)).send(body);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('insufficient_role');
      }
      expect((await request(t.server).post('/api/admin/tenants').send(body)).status).toBe(401);
      expect((await request(t.server).get('/api/admin/tenants').set(bearer(ownerToken))).status).toBe(403);
      expect(await tenantCount()).toBe(before);
      expect(await tenantsWithSlug(body.slug)).toEqual([]);
    });
  });

  describe('registry', () => {
    it('lists tenants newest first, page by page, filtered by status and by name or slug', async () => {
      const marker = `reg${unique()}`;
      const created: string[] = [];
      for (const name of ['One', 'Two', 'Three']) {
        created.push((await make.tenant({ name: `${marker} ${name}` })).id);
      }
      const bySlug = await make.tenant({ slug: `${marker}-slug`, name: 'Unrelated name' });
      created.push(bySlug.id);

      const first = await asSuper().get(`/api/admin/tenants?q=${marker.toUpperCase()}&limit=3`);
      expect(first.status).toBe(200);
      expect(first.body.data.map((tenant: { id: string }) => tenant.id)).toEqual(created.slice().reverse().slice(0, 3));
      expect(first.body.data[0]).toEqual({
        id: bySlug.id,
        slug: bySlug.slug,
        name: 'Unrelated name',
        status: 'active',
        plan: 'starter',
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const second = await asSuper().get(`/api/admin/tenants?q=${marker}&limit=3&cursor=${first.body.next_cursor}`);
      expect(second.body).toEqual({ data: [expect.objectContaining({ id: created[0] })], next_cursor: null });

      expect((await asSuper().post(`/api/admin/tenants/${created[1]}/suspend`)).status).toBe(200);
      const suspended = await asSuper().get(`/api/admin/tenants?q=${marker}&status=suspended`);
      expect(suspended.body.data.map((tenant: { id: string }) => tenant.id)).toEqual([created[1]]);
      const active = await asSuper().get(`/api/admin/tenants?q=${marker}&status=active`);
      expect(active.body.data).toHaveLength(3);

      // LIKE wildcards in q are literal characters.
      const wildcard = await asSuper().get(`/api/admin/tenants?q=${encodeURIComponent('%')}`);
      expect(wildcard.body.data).toEqual([]);
    });

    it('refuses a bad status filter and a forged cursor with 400', async () => {
      const status = await asSuper().get('/api/admin/tenants?status=deleted');
      expect(status.status).toBe(400);
      expect(status.body.errors[0].field).toBe('status');
      const forged = Buffer.from(JSON.stringify(['yesterday', 'not-a-uuid'])).toString('base64url');
      const cursor = await asSuper().get(`/api/admin/tenants?cursor=${forged}`);
      expect(cursor.status).toBe(400);
      expect(cursor.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    });

    it('shows details with plan, quotas and usage to super admins and to the own owner only', async () => {
      const { body, tenantId, ownerToken } = await provisioned();
      await member(tenantId, body.slug, 'customer');
      await member(tenantId, body.slug, 'customer');
      const staff = await member(tenantId, body.slug, 'staff');
      const customer = await member(tenantId, body.slug, 'customer');

      const details = await asSuper().get(`/api/admin/tenants/${tenantId}`);
      expect(details.status).toBe(200);
      expect(details.body).toMatchObject({
        id: tenantId,
        slug: body.slug,
        plan: 'starter',
        quotas: PLANS.starter,
        usage: { customers: 3, staff: 2, locations: 0 },
        settings: DEFAULT_SETTINGS,
      });
      const own = await request(t.server).get(`/api/admin/tenants/${tenantId}`).set(bearer(ownerToken));
      expect(own.status).toBe(200);
      expect(own.body).toEqual(details.body);

      const other = await provisioned();
      for (const id of [other.tenantId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const res = await request(t.server).get(`/api/admin/tenants/${id}`).set(bearer(ownerToken));
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      expect((await asSuper().get('/api/admin/tenants/not-a-uuid')).status).toBe(404);
      expect((await asSuper().get('/api/admin/tenants/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      for (const token of [staff.token, customer.token]) {
        expect((await request(t.server).get(`/api/admin/tenants/${tenantId}`).set(bearer(token))).status).toBe(403);
      }
    });

    it('renames and re-plans a tenant, with an audit entry and the new quotas at once', async () => {
      const { tenantId, ownerToken } = await provisioned();
      const quotas = t.app.get(QuotaService);
      expect(await quotas.tenantQuotas(tenantId)).toEqual(PLANS.starter);

      const res = await asSuper().patch(`/api/admin/tenants/${tenantId}`, {
        name: 'Acme Roasters',
        plan: 'enterprise',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: tenantId,
        name: 'Acme Roasters',
        plan: 'enterprise',
        quotas: PLANS.enterprise,
      });
      expect(await quotas.tenantQuotas(tenantId)).toEqual(PLANS.enterprise);

      const audit = await request(t.server).get('/api/admin/audit-log?action=tenant.updated').set(bearer(ownerToken));
      expect(audit.body.data).toEqual([
        expect.objectContaining({
          actor: expect.objectContaining({ type: 'super_admin' }),
          before: { name: 'Acme Coffee', plan: 'starter' },
          after: { name: 'Acme Roasters', plan: 'enterprise' },
        }),
      ]);

      // Sending what it already is changes and records nothing.
      expect((await asSuper().patch(`/api/admin/tenants/${tenantId}`, { plan: 'enterprise' })).status).toBe(200);
      expect((await auditActions(tenantId)).filter((action) => action === 'tenant.updated')).toHaveLength(1);
    });

    it('refuses a slug change, an unknown plan, a stranger and an unknown id, changing nothing', async () => {
      const { tenantId, ownerToken } = await provisioned();
      const before = await tenantRow(tenantId);

      const slug = await asSuper().patch(`/api/admin/tenants/${tenantId}`, { name: 'Renamed', slug: 'new-slug' });
      expect(slug.status).toBe(400);
      expect(slug.body.errors).toEqual([{ field: 'slug', message: expect.stringMatching(/cannot be changed/) }]);

      const plan = await asSuper().patch(`/api/admin/tenants/${tenantId}`, { plan: 'gold' });
      expect(plan.status).toBe(400);
      expect(plan.body.errors).toEqual([
        { field: 'plan', message: expect.stringContaining('starter, growth, enterprise') },
      ]);

      const status = await asSuper().patch(`/api/admin/tenants/${tenantId}`, { status: 'suspended' });
      expect(status.status).toBe(400);
      expect(status.body.errors[0].field).toBe('status');

      const owner = await request(t.server)
        .patch(`/api/admin/tenants/${tenantId}`)
        .set(bearer(ownerToken))
        .send({ plan: 'enterprise' });
      expect(owner.status).toBe(403);

      const missing = await asSuper().patch('/api/admin/tenants/00000000-0000-4000-8000-000000000000', { name: 'X' });
      expect(missing.status).toBe(404);

      expect(await tenantRow(tenantId)).toEqual(before);
      expect(await auditActions(tenantId)).toEqual(['tenant.provisioned']);
    });
  });

  describe('suspension', () => {
    it('shuts out every credential of a suspended tenant and lets them back in on activation', async () => {
      const { body, tenantId, ownerToken } = await provisioned();
      const staff = await member(tenantId, body.slug, 'staff');
      const customer = await member(tenantId, body.slug, 'customer');
      const tokens = [ownerToken, staff.token, customer.token];
      const me = (token: string) => request(t.server).get('/api/auth/user').set(bearer(token));

      const suspend = await asSuper().post(`/api/admin/tenants/${tenantId}/suspend`);
      expect(suspend.status).toBe(200);
      expect(suspend.body).toMatchObject({ id: tenantId, status: 'suspended', quotas: PLANS.starter });
      for (const token of tokens) {
        const res = await me(token);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('tenant_suspended');
      }
      const rightPassword = await login({ tenant: body.slug, email: customer.email, password: PASSWORD });
      expect(rightPassword.status).toBe(403);
      expect(rightPassword.body.code).toBe('tenant_suspended');
      const wrongPassword = await login({ tenant: body.slug, email: staff.email, password: 'not the password' });
      expect(wrongPassword.status).toBe(401);
      expect(wrongPassword.body.code).toBe('invalid_credentials');

      // Idempotent: suspending again is fine and records nothing new.
      const again = await asSuper().post(`/api/admin/tenants/${tenantId}/suspend`);
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('suspended');

      const activate = await asSuper().post(`/api/admin/tenants/${tenantId}/activate`);
      expect(activate.status).toBe(200);
      expect(activate.body.status).toBe('active');
      expect((await asSuper().post(`/api/admin/tenants/${tenantId}/activate`)).status).toBe(200);
      for (const token of tokens) expect((await me(token)).status).toBe(200);
      expect((await login({ tenant: body.slug, email: customer.email, password: PASSWORD })).status).toBe(200);

      expect(await auditActions(tenantId)).toEqual(['tenant.provisioned', 'tenant.suspended', 'tenant.activated']);
    });

    it('is for super admins only, and a 404 for an unknown tenant', async () => {
      const { tenantId, ownerToken } = await provisioned();
      for (const action of ['suspend', 'activate']) {
        const res = await request(t.server).post(`/api/admin/tenants/${tenantId}/${action}`).set(bearer(ownerToken));
        expect(res.status).toBe(403);
      }
      expect((await asSuper().post('/api/admin/tenants/00000000-0000-4000-8000-000000000000/suspend')).status).toBe(
        404,
      );
      expect((await asSuper().post('/api/admin/tenants/nope/suspend')).status).toBe(404);
      expect((await tenantRow(tenantId)).status).toBe('active');
      expect(await auditActions(tenantId)).toEqual(['tenant.provisioned']);
    });
  });

  it('describes its routes with request and response schemas in the OpenAPI document', async () => {
    const res = await request(t.server).get('/docs-json');
    expect(res.status).toBe(200);
    expect(openApiErrors(res.body)).toBeNull();
    const paths = res.body.paths as Record<string, Record<string, Record<string, unknown>>>;
    const responseSchema = (path: string, method: string, status: string) =>
      (paths[path][method].responses as Record<string, { content?: Record<string, { schema: unknown }> }>)[status]
        ?.content?.['application/json']?.schema;
    expect(responseSchema('/api/admin/tenants', 'get', '200')).toEqual({ $ref: '#/components/schemas/TenantPageDto' });
    expect(responseSchema('/api/admin/tenants', 'post', '201')).toEqual({
      $ref: '#/components/schemas/ProvisionedTenantDto',
    });
    expect(responseSchema('/api/admin/tenants/{id}', 'get', '200')).toBeDefined();
    expect(responseSchema('/api/admin/tenants/{id}', 'patch', '200')).toBeDefined();
    expect(responseSchema('/api/admin/tenants/{id}/suspend', 'post', '200')).toBeDefined();
    expect(responseSchema('/api/admin/tenants/{id}/activate', 'post', '200')).toBeDefined();
    expect(responseSchema('/api/admin/settings', 'get', '200')).toEqual({
      $ref: '#/components/schemas/TenantSettingsDto',
    });
    expect(paths['/api/admin/settings'].patch.requestBody).toBeDefined();
    const schemas = res.body.components.schemas;
    expect(Object.keys(schemas.ProvisionTenantDto.properties)).toEqual(['name', 'slug', 'plan', 'owner', 'settings']);
    expect(schemas.ProvisionTenantDto.properties.plan.enum).toEqual(['starter', 'growth', 'enterprise']);
    expect(schemas.UpdateTenantDto.properties.slug).toBeUndefined();
  });

  describe('QuotaService', () => {
    // A test-only catalog: the production plans keep their numbers, the starter plan here is tiny.
    const tinyCatalog = {
      starter: { customers: 3, locations: 0, api_requests_per_minute: 60 },
      enterprise: PLANS.enterprise,
    };
    let quotas: QuotaService;
    beforeAll(() => (quotas = new QuotaService(t.app.get(TenantDatabase), tinyCatalog)));

    /** Registers a customer the way a registration must: the quota check and the insert in one transaction. */
    const addCustomer = (tenantId: string) =>
      runInTenant(dataSource, tenantId, async (m) => {
        await quotas.assertCanAdd(m, tenantId, 'customers');
        await m.query(`INSERT INTO customers (tenant_id, email) VALUES ($1, $2)`, [
          tenantId,
          `c-${unique()}@example.com`,
        ]);
      });
    const customers = async (tenantId: string) =>
      (
        (await runInTenant(dataSource, tenantId, (m) => m.query(`SELECT count(*)::int AS n FROM customers`))) as [
          { n: number },
        ]
      )[0].n;

    it('never lets concurrent additions go past the limit', async () => {
      const tenant = await make.tenant({ plan: 'starter' });
      const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => addCustomer(tenant.id)));
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
      expect(refused).toHaveLength(9);
      for (const { reason } of refused) {
        expect(reason).toBeInstanceOf(QuotaExceededError);
        expect(reason).toMatchObject({ status: 422, code: 'quota_exceeded', extra: { quota: 'customers', limit: 3 } });
      }
      expect(await customers(tenant.id)).toBe(3);
    });

    it('counts active customers only, not staff users or erased customers, and adds several at once', async () => {
      const tenant = await make.tenant({ plan: 'starter' });
      await runInTenant(dataSource, tenant.id, (m) =>
        m.query(
          `INSERT INTO users (tenant_id, email, role, status) VALUES
             ($1, 'owner@x.example', 'owner', 'active'), ($1, 'staff@x.example', 'staff', 'active'),
             ($1, 'gone@x.example', 'customer', 'deleted'), ($1, 'one@x.example', 'customer', 'active')`,
          [tenant.id],
        ),
      );
      await runInTenant(dataSource, tenant.id, (m) =>
        m.query(`INSERT INTO customers (tenant_id, status) VALUES ($1, 'erased'), ($1, 'active')`, [tenant.id]),
      );
      const check = (adding: number) =>
        runInTenant(dataSource, tenant.id, (m) => quotas.assertCanAdd(m, tenant.id, 'customers', adding));
      await expect(check(2)).resolves.toBeUndefined();
      await expect(check(3)).rejects.toBeInstanceOf(QuotaExceededError);
      const usage = await runInTenant(dataSource, tenant.id, (m) => quotas.usage(m, tenant.id));
      expect(usage).toEqual({ customers: 1, staff: 2, locations: 0 });
    });

    it('checks locations against their own quota and lets an unlimited plan add freely', async () => {
      const starter = await make.tenant({ plan: 'starter' });
      await expect(
        runInTenant(dataSource, starter.id, (m) => quotas.assertCanAdd(m, starter.id, 'locations')),
      ).rejects.toMatchObject({ code: 'quota_exceeded', extra: { quota: 'locations', limit: 0 } });

      const enterprise = await make.tenant({ plan: 'enterprise' });
      for (let i = 0; i < 5; i += 1) await addCustomer(enterprise.id);
      expect(await customers(enterprise.id)).toBe(5);
    });

    it("looks a tenant's quotas up for the rate limiter, cached until told to forget", async () => {
      const tenant = await make.tenant({ plan: 'starter' });
      expect(await quotas.tenantQuotas(tenant.id)).toEqual(tinyCatalog.starter);
      await runWithoutTenant(dataSource, (m) =>
        m.query(`UPDATE tenants SET plan = 'enterprise' WHERE id = $1`, [tenant.id]),
      );
      expect(await quotas.planOf(tenant.id)).toBe('starter');
      quotas.forgetPlan(tenant.id);
      expect(await quotas.planOf(tenant.id)).toBe('enterprise');
      expect((await quotas.tenantQuotas(tenant.id))?.api_requests_per_minute).toBe(
        PLANS.enterprise.api_requests_per_minute,
      );
      expect(await quotas.tenantQuotas('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await quotas.tenantQuotas('not-a-uuid')).toBeNull();
    });
  });
});
