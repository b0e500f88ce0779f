import request from 'supertest';
import { runInTenant } from '../../src/database/tenant-transaction';
import { CustomersService } from '../../src/modules/customers/customers.service';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { customerFixtures } from './customers-fixtures';

describe('customers: admin API', () => {
  let t: TestApp;
  let fx: ReturnType<typeof customerFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = customerFixtures(t);
  });
  afterAll(async () => t?.close());

  async function tenantWithStaff() {
    const { tenant, programId } = await fx.tenantWithProgram();
    const staff = await fx.staffToken(tenant, 'staff');
    return { tenant, programId, staff };
  }

  const as = (token: string) => ({
    list: (query = '') => request(t.server).get(`/api/admin/customers${query}`).set(fx.bearer(token)),
    create: (body: object) => request(t.server).post('/api/admin/customers').set(fx.bearer(token)).send(body),
    get: (id: string) => request(t.server).get(`/api/admin/customers/${id}`).set(fx.bearer(token)),
    patch: (id: string, body: object) =>
      request(t.server).patch(`/api/admin/customers/${id}`).set(fx.bearer(token)).send(body),
  });

  /** Everything these routes write for a tenant. */
  const stateOf = async (tenantId: string) => ({
    customers: await fx.inTenant<unknown[]>(tenantId, `SELECT * FROM customers ORDER BY id`),
    audit: await fx.inTenant<Array<Record<string, unknown>>>(
      tenantId,
      `SELECT action, target_id, before, after FROM audit_log ORDER BY occurred_at`,
    ),
    outbox: await fx.inTenant<unknown[]>(tenantId, `SELECT event_type, payload FROM outbox ORDER BY created_at`),
  });

  const countCustomers = async (tenantId: string) =>
    (await fx.inTenant<Array<{ n: number }>>(tenantId, `SELECT count(*)::int AS n FROM customers`))[0].n;

  describe('POST /api/admin/customers', () => {
    it('creates a customer for staff, audited without personal values, with a customer.created event', async () => {
      const { tenant, staff } = await tenantWithStaff();
      const res = await as(staff).create({
        email: 'Ann.Lee@Example.com',
        external_id: 'C-1042',
        first_name: 'Ann',
        last_name: 'Lee',
        phone: '+44 20 7946 0958',
        birthday: '1990-04-21',
        segments: ['vip', 'coffee'],
        marketing_opt_in: true,
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        external_id: 'C-1042',
        email: 'Ann.Lee@Example.com',
        first_name: 'Ann',
        last_name: 'Lee',
        phone: '+44 20 7946 0958',
        birthday: '1990-04-21',
        segments: ['vip', 'coffee'],
        preferences: {},
        marketing_opt_in: true,
        leaderboard_opt_out: false,
        status: 'active',
        erased_at: null,
        balance: 0,
        pending_balance: 0,
        lifetime_points: 0,
        tier: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const state = await stateOf(tenant.id);
      expect(state.customers).toHaveLength(1);
      expect(state.audit).toEqual([
        expect.objectContaining({ action: 'customer.created', target_id: res.body.id, before: null }),
      ]);
      const audited = JSON.stringify(state.audit[0]);
      for (const personal of ['Ann', 'Lee', 'C-1042', '7946', '1990', 'vip']) expect(audited).not.toContain(personal);
      expect(state.audit[0].after).toMatchObject({ email: '[personal data]', marketing_opt_in: true });
      expect(state.outbox).toEqual([
        { event_type: 'customer.created', payload: { customer_id: res.body.id, source: 'admin' } },
      ]);
    });

    it('creates an empty customer: every field is optional', async () => {
      const { staff } = await tenantWithStaff();
      const res = await as(staff).create({});
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ email: null, external_id: null, first_name: '', segments: [] });
    });

    it('refuses bad fields with 400 naming each, and writes nothing', async () => {
      const { tenant, staff } = await tenantWithStaff();
      const cases: Array<[object, string]> = [
        [{ email: 'not-an-email' }, 'email'],
        [{ external_id: 'has/slash' }, 'external_id'],
        [{ external_id: 'x'.repeat(201) }, 'external_id'],
        [{ first_name: 'x'.repeat(101) }, 'first_name'],
        [{ first_name: null }, 'first_name'],
        [{ phone: 'call me' }, 'phone'],
        [{ birthday: '21/04/1990' }, 'birthday'],
        [{ birthday: '2023-02-29' }, 'birthday'],
        [{ birthday: '2999-01-01' }, 'birthday'],
        [{ segments: 'vip' }, 'segments'],
        [{ segments: ['has space'] }, 'segments'],
        [{ segments: ['a', 'a'] }, 'segments'],
        [{ marketing_opt_in: 'yes' }, 'marketing_opt_in'],
        [{ status: 'erased' }, 'status'],
        [{ tenant_id: tenant.id }, 'tenant_id'],
      ];
      for (const [body, field] of cases) {
        const res = await as(staff).create(body);
        expect({ body, status: res.status, code: res.body.code }).toEqual({
          body,
          status: 400,
          code: 'validation_failed',
        });
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      expect(await stateOf(tenant.id)).toEqual({ customers: [], audit: [], outbox: [] });
    });

    it('refuses a duplicate external id with 409 external_id_taken', async () => {
      const { tenant, staff } = await tenantWithStaff();
      expect((await as(staff).create({ external_id: 'C-1' })).status).toBe(201);
      const again = await as(staff).create({ external_id: 'C-1', first_name: 'Other' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('external_id_taken');
      expect(await countCustomers(tenant.id)).toBe(1);
      // The same external id in another tenant is another customer.
      const other = await tenantWithStaff();
      expect((await as(other.staff).create({ external_id: 'C-1' })).status).toBe(201);
    });

    it('refuses past the plan quota with 422 quota_exceeded; erased customers free their place', async () => {
      const { tenant, staff } = await tenantWithStaff();
      await fx.inTenant(tenant.id, `INSERT INTO customers (tenant_id) SELECT $1 FROM generate_series(1, 1000)`, [
        tenant.id,
      ]);
      const refused = await as(staff).create({ first_name: 'One too many' });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'quota_exceeded', quota: 'customers', limit: 1000 });
      expect(await countCustomers(tenant.id)).toBe(1000);

      await fx.inTenant(
        tenant.id,
        `UPDATE customers SET status = 'erased' WHERE id = (SELECT id FROM customers ORDER BY id LIMIT 1)`,
      );
      expect((await as(staff).create({ first_name: 'Fits now' })).status).toBe(201);
    });

    it('replays a create under the same Idempotency-Key instead of creating twice', async () => {
      const { tenant, staff } = await tenantWithStaff();
      const send = () =>
        request(t.server)
          .post('/api/admin/customers')
          .set(fx.bearer(staff))
          .set('idempotency-key', 'create-1')
          .send({ first_name: 'Once' });
      const first = await send();
      const replay = await send();
      expect(first.status).toBe(201);
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await countCustomers(tenant.id)).toBe(1);
    });

    it('is refused to customers (403), API keys (403) and anonymous callers (401)', async () => {
      const { tenant } = await tenantWithStaff();
      const customer = await fx.appCustomer(tenant);
      const key = await fx.apiKey(tenant, ['customers:write', 'customers:read']);
      const before = await countCustomers(tenant.id);
      for (const token of [customer.token, key]) {
        for (const res of [await as(token).create({ first_name: 'X' }), await as(token).list()]) {
          expect(res.status).toBe(403);
        }
        expect((await as(token).get(customer.id)).status).toBe(403);
        expect((await as(token).patch(customer.id, { first_name: 'Hacked' })).status).toBe(403);
      }
      expect((await request(t.server).get('/api/admin/customers')).status).toBe(401);
      expect(await countCustomers(tenant.id)).toBe(before);
      const [row] = await fx.inTenant<Array<{ first_name: string }>>(
        tenant.id,
        `SELECT first_name FROM customers WHERE id = $1`,
        [customer.id],
      );
      expect(row.first_name).toBe('Ann');
    });
  });

  describe('GET /api/admin/customers', () => {
    let tenant: TenantEntity;
    let staff: string;
    let programId: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      ({ tenant, staff, programId } = await tenantWithStaff());
      const people = [
        { key: 'ann', body: { email: 'ann@shop.example', first_name: 'Ann', last_name: 'Lee', segments: ['vip'] } },
        {
          key: 'bob',
          body: { email: 'bob@shop.example', first_name: 'Bob', last_name: 'Stone', external_id: 'POS-77' },
        },
        {
          key: 'cat',
          body: { email: 'cat@else.example', first_name: 'Cat', last_name: 'Lee', segments: ['vip', 'new'] },
        },
        { key: 'dan', body: { email: 'dan_x@else.example', first_name: 'Dan', last_name: 'Moor' } },
      ];
      for (const person of people) ids[person.key] = (await as(staff).create(person.body)).body.id;
      const [gold] = await fx.inTenant<Array<{ id: string }>>(
        tenant.id,
        `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold) VALUES ($1, $2, 'Gold', 1, 1000) RETURNING id`,
        [tenant.id, programId],
      );
      await fx.inTenant(
        tenant.id,
        `INSERT INTO loyalty_accounts (tenant_id, customer_id, program_id, balance, lifetime_points, tier_id)
         VALUES ($1, $2, $3, 1500, 2500, $4)`,
        [tenant.id, ids.cat, programId, gold.id],
      );
      ids.gold = gold.id;
      await fx.inTenant(tenant.id, `UPDATE customers SET status = 'erased', email = NULL WHERE id = $1`, [ids.dan]);
    });

    const emails = (res: request.Response) => res.body.data.map((c: { email: string }) => c.email);

    it('lists active customers newest first, with default-program balance and tier, page by page', async () => {
      const first = await as(staff).list('?limit=2');
      expect(first.status).toBe(200);
      expect(emails(first)).toEqual(['cat@else.example', 'bob@shop.example']);
      expect(first.body.data[0]).toMatchObject({
        id: ids.cat,
        balance: 1500,
        lifetime_points: 2500,
        tier: { id: ids.gold, name: 'Gold' },
        segments: ['vip', 'new'],
      });
      expect(first.body.data[1]).toMatchObject({ balance: 0, tier: null, external_id: 'POS-77' });
      const second = await as(staff).list(`?limit=2&cursor=${first.body.next_cursor}`);
      expect(emails(second)).toEqual(['ann@shop.example']);
      expect(second.body.next_cursor).toBeNull();
    });

    it('searches e-mail, names, full name and external id in any case, with LIKE wildcards literal', async () => {
      expect(emails(await as(staff).list('?q=SHOP.EX'))).toEqual(['bob@shop.example', 'ann@shop.example']);
      expect(emails(await as(staff).list('?q=lee'))).toEqual(['cat@else.example', 'ann@shop.example']);
      expect(emails(await as(staff).list(`?q=${encodeURIComponent('ann lee')}`))).toEqual(['ann@shop.example']);
      expect(emails(await as(staff).list('?q=pos-77'))).toEqual(['bob@shop.example']);
      expect(emails(await as(staff).list(`?q=${encodeURIComponent('%')}`))).toEqual([]);
      // As a wildcard, _ would match the "o" of bob.
      expect(emails(await as(staff).list('?q=b_b'))).toEqual([]);
    });

    it('filters by tier, segment and status', async () => {
      expect(emails(await as(staff).list(`?tier_id=${ids.gold}`))).toEqual(['cat@else.example']);
      expect(emails(await as(staff).list('?segment=vip'))).toEqual(['cat@else.example', 'ann@shop.example']);
      expect(emails(await as(staff).list('?segment=new&q=cat'))).toEqual(['cat@else.example']);
      const erased = await as(staff).list('?status=erased');
      expect(erased.body.data.map((c: { id: string }) => c.id)).toEqual([ids.dan]);
    });

    it('shows nothing of another tenant', async () => {
      const other = await tenantWithStaff();
      await as(other.staff).create({ email: 'ann@shop.example' });
      expect(emails(await as(staff).list('?q=ann'))).toEqual(['ann@shop.example']);
      expect((await as(other.staff).list()).body.data).toHaveLength(1);
    });

    it('refuses bad filters and a forged cursor with 400 naming the field', async () => {
      for (const [query, field] of [
        ['?tier_id=gold', 'tier_id'],
        ['?status=deleted', 'status'],
        ['?segment=a%20b', 'segment'],
        ['?limit=101', 'limit'],
        ['?cursor=bm9wZQ', 'cursor'],
      ]) {
        const res = await as(staff).list(query);
        expect(res.status).toBe(400);
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
    });
  });

  describe('GET and PATCH /api/admin/customers/{id}', () => {
    it('shows one customer, and 404 for another tenant’s, an unknown or a malformed id', async () => {
      const { staff } = await tenantWithStaff();
      const created = (await as(staff).create({ first_name: 'Eve' })).body;
      const got = await as(staff).get(created.id);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(created);

      const other = await tenantWithStaff();
      const theirs = (await as(other.staff).create({ first_name: 'Theirs' })).body;
      for (const id of [theirs.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const res = await as(staff).get(id);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
        expect((await as(staff).patch(id, { first_name: 'X' })).status).toBe(404);
      }
      expect((await as(other.staff).get(theirs.id)).body.first_name).toBe('Theirs');
    });

    it('changes the given fields, clears nullable ones with null, audits before/after without personal values', async () => {
      const { tenant, staff } = await tenantWithStaff();
      const created = (
        await as(staff).create({ email: 'g@example.com', first_name: 'Gus', phone: '+1 555 0100', external_id: 'G-1' })
      ).body;
      const res = await as(staff).patch(created.id, {
        first_name: 'Gustav',
        phone: null,
        segments: ['vip'],
        marketing_opt_in: true,
        leaderboard_opt_out: true,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        first_name: 'Gustav',
        last_name: '',
        phone: null,
        email: 'g@example.com',
        external_id: 'G-1',
        segments: ['vip'],
        marketing_opt_in: true,
        leaderboard_opt_out: true,
      });
      expect((await as(staff).get(created.id)).body).toEqual(res.body);
      const [entry] = await fx.inTenant<Array<{ before: object; after: object }>>(
        tenant.id,
        `SELECT before, after FROM audit_log WHERE action = 'customer.updated'`,
      );
      expect(entry).toEqual({
        before: {
          first_name: '[personal data]',
          phone: '[personal data]',
          segments: null,
          marketing_opt_in: false,
          leaderboard_opt_out: false,
        },
        after: {
          first_name: '[personal data]',
          phone: null,
          segments: '[personal data]',
          marketing_opt_in: true,
          leaderboard_opt_out: true,
        },
      });
      const events = await fx.inTenant<Array<{ payload: { changed: string[] } }>>(
        tenant.id,
        `SELECT payload FROM outbox WHERE event_type = 'customer.updated'`,
      );
      expect(events).toHaveLength(1);
      expect(events[0].payload.changed.sort()).toEqual(
        ['first_name', 'leaderboard_opt_out', 'marketing_opt_in', 'phone', 'segments'].sort(),
      );
    });

    it('records nothing when nothing changes', async () => {
      const { tenant, staff } = await tenantWithStaff();
      const created = (await as(staff).create({ first_name: 'Same' })).body;
      expect((await as(staff).patch(created.id, { first_name: 'Same' })).status).toBe(200);
      expect(await fx.inTenant(tenant.id, `SELECT 1 FROM audit_log WHERE action = 'customer.updated'`)).toHaveLength(0);
    });

    it('refuses bad fields (400), a taken external id (409) and leaves the customer unchanged', async () => {
      const { tenant, staff } = await tenantWithStaff();
      await as(staff).create({ external_id: 'TAKEN' });
      const created = (await as(staff).create({ first_name: 'Hal', external_id: 'H-1' })).body;
      for (const [body, field] of [
        [{ first_name: null }, 'first_name'],
        [{ marketing_opt_in: null }, 'marketing_opt_in'],
        [{ birthday: '2023-02-30' }, 'birthday'],
        [{ email: 'nope' }, 'email'],
        [{ status: 'erased' }, 'status'],
      ] as Array<[object, string]>) {
        const res = await as(staff).patch(created.id, body);
        expect(res.status).toBe(400);
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      const taken = await as(staff).patch(created.id, { external_id: 'TAKEN', first_name: 'Changed' });
      expect(taken.status).toBe(409);
      expect(taken.body.code).toBe('external_id_taken');
      expect((await as(staff).get(created.id)).body).toEqual(created);
      expect(await fx.inTenant(tenant.id, `SELECT 1 FROM audit_log WHERE action = 'customer.updated'`)).toHaveLength(0);
    });

    it('does not let staff change the sign-in e-mail of an app customer (422), but their names', async () => {
      const { tenant, staff } = await tenantWithStaff();
      const customer = await fx.appCustomer(tenant);
      const refused = await as(staff).patch(customer.id, { email: 'attacker@example.com' });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('email_not_editable');
      expect((await as(staff).get(customer.id)).body.email).toBe(customer.email);

      const renamed = await as(staff).patch(customer.id, { first_name: 'Annie' });
      expect(renamed.status).toBe(200);
      // The sign-in account shows the same name.
      expect((await fx.me(customer.token)).body.first_name).toBe('Annie');
    });

    it('refuses to change an erased customer with 409 customer_erased', async () => {
      const { tenant, staff } = await tenantWithStaff();
      const created = (await as(staff).create({ first_name: 'Ida' })).body;
      await fx.inTenant(tenant.id, `UPDATE customers SET status = 'erased', first_name = '' WHERE id = $1`, [
        created.id,
      ]);
      const res = await as(staff).patch(created.id, { first_name: 'Back' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('customer_erased');
      expect((await as(staff).get(created.id)).body.first_name).toBe('');
    });
  });

  describe('CustomersService.createForUser (called by registration)', () => {
    const register = (tenantId: string, email: string) =>
      runInTenant(fx.dataSource, tenantId, async (manager) => {
        const [user] = (await manager.query(
          `INSERT INTO users (tenant_id, email, role, first_name, last_name) VALUES ($1, $2, 'customer', 'Reg', 'User')
           RETURNING id`,
          [tenantId, email],
        )) as Array<{ id: string }>;
        await t.app
          .get(CustomersService)
          .createForUser(manager, tenantId, { id: user.id, email, first_name: 'Reg', last_name: 'User' });
        return user.id;
      });

    it('creates the customer row with the user’s id, names and e-mail, and a customer.created event', async () => {
      const { tenant, staff } = await tenantWithStaff();
      const id = await register(tenant.id, 'reg@example.com');
      expect((await as(staff).get(id)).body).toMatchObject({
        id,
        email: 'reg@example.com',
        first_name: 'Reg',
        last_name: 'User',
        status: 'active',
      });
      expect(await fx.inTenant(tenant.id, `SELECT payload FROM outbox WHERE event_type = 'customer.created'`)).toEqual([
        { payload: { customer_id: id, source: 'registration' } },
      ]);
    });

    it('refuses past the customers quota and rolls the whole registration back', async () => {
      const { tenant } = await tenantWithStaff();
      await fx.inTenant(tenant.id, `INSERT INTO customers (tenant_id) SELECT $1 FROM generate_series(1, 1000)`, [
        tenant.id,
      ]);
      await expect(register(tenant.id, 'late@example.com')).rejects.toMatchObject({ code: 'quota_exceeded' });
      expect(await fx.inTenant(tenant.id, `SELECT 1 FROM users WHERE email = 'late@example.com'`)).toHaveLength(0);
      expect(await countCustomers(tenant.id)).toBe(1000);
    });
  });

  it('documents every customer route in the OpenAPI document', async () => {
    const res = await request(t.server).get('/docs-json');
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    for (const [path, method] of [
      ['/api/admin/customers', 'get'],
      ['/api/admin/customers', 'post'],
      ['/api/admin/customers/{id}', 'get'],
      ['/api/admin/customers/{id}', 'patch'],
      ['/api/admin/customers/{id}', 'delete'],
      ['/api/admin/customers/{id}/adjust-points', 'post'],
      ['/api/admin/customers/{id}/transactions', 'get'],
      ['/api/admin/customers/{id}/export', 'get'],
      ['/api/customers/external/{external_id}', 'put'],
      ['/api/customers/external/{external_id}', 'get'],
      ['/api/customers/{external_id}', 'put'],
      ['/api/profile', 'get'],
      ['/api/profile', 'patch'],
      ['/api/points/balance', 'get'],
      ['/api/points/history', 'get'],
      ['/api/tiers', 'get'],
      ['/api/tiers/current', 'get'],
      ['/api/me/export', 'get'],
      ['/api/me', 'delete'],
    ]) {
      expect({ path, method, documented: Boolean(paths[path]?.[method]) }).toEqual({ path, method, documented: true });
    }
    const schemas = res.body.components.schemas;
    expect(Object.keys(schemas.AdjustPointsDto.properties).sort()).toEqual(['points', 'program_id', 'reason']);
    expect(schemas.CustomerDto.required).toEqual(expect.arrayContaining(['id', 'balance', 'tier']));
  });
});
