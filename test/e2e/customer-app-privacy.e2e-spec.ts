import request from 'supertest';
import { PASSWORD } from './auth-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { AppCustomer, customerFixtures } from './customers-fixtures';

describe('customer privacy: GDPR export and erasure', () => {
  let t: TestApp;
  let fx: ReturnType<typeof customerFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = customerFixtures(t);
  });
  afterAll(async () => t?.close());

  /** A customer with points, an activity, a tier change and a full profile. */
  async function customerWithHistory() {
    const { tenant, programId } = await fx.tenantWithProgram({ type: 'days_after_earn', days: 365 });
    const admin = await fx.staffToken(tenant, 'admin');
    const me = await fx.appCustomer(tenant);
    await request(t.server)
      .patch('/api/profile')
      .set(fx.bearer(me.token))
      .send({ phone: '+44 7700 900123', birthday: '1991-02-03', preferences: { language: 'fr' } });
    await request(t.server)
      .patch(`/api/admin/customers/${me.id}`)
      .set(fx.bearer(admin))
      .send({ external_id: 'CRM-77', segments: ['vip'] });
    for (const points of [500, -120]) {
      const res = await request(t.server)
        .post(`/api/admin/customers/${me.id}/adjust-points`)
        .set(fx.bearer(admin))
        .send({ points, reason: `adjust ${points}` });
      expect(res.status).toBe(201);
    }
    const [activity] = await fx.inTenant<Array<{ id: string }>>(
      tenant.id,
      `INSERT INTO activities (tenant_id, customer_id, program_id, type, amount, currency, occurred_at)
       VALUES ($1, $2, $3, 'purchase', 1250, 'GBP', now()) RETURNING id`,
      [tenant.id, me.id, programId],
    );
    await fx.inTenant(
      tenant.id,
      `INSERT INTO tier_changes (tenant_id, account_id, to_tier_id, reason)
       SELECT tenant_id, id, NULL, 'earned' FROM loyalty_accounts WHERE customer_id = $1`,
      [me.id],
    );
    return { tenant, programId, admin, me, activityId: activity.id };
  }

  const personalRow = (tenantId: string, id: string) =>
    fx.inTenant<Array<Record<string, unknown>>>(
      tenantId,
      `SELECT email, external_id, first_name, last_name, phone, birthday, preferences, segments, status, erased_at,
              marketing_opt_in, leaderboard_opt_out
         FROM customers WHERE id = $1`,
      [id],
    );

  const userRow = (tenantId: string, id: string) =>
    fx.inTenant<Array<Record<string, unknown>>>(
      tenantId,
      `SELECT email, status, password_hash, mfa_secret, first_name, last_name FROM users WHERE id = $1`,
      [id],
    );

  describe('GET /api/me/export', () => {
    it('gives me all my data as a JSON attachment: profile, accounts, ledger, lots, activities, tier changes', async () => {
      const { me, activityId } = await customerWithHistory();
      const res = await request(t.server).get('/api/me/export').set(fx.bearer(me.token));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="customer-${me.id}-export.json"`);
      const data = res.body;
      expect(data).toMatchObject({
        format_version: 1,
        exported_at: expect.any(String),
        customer: {
          id: me.id,
          email: me.email,
          phone: '+44 7700 900123',
          birthday: '1991-02-03',
          external_id: 'CRM-77',
          segments: ['vip'],
          preferences: { language: 'fr' },
        },
        user_account: { email: me.email, role: 'customer', status: 'active', mfa_enabled: false },
      });
      expect(data.customer.tenant_id).toBeUndefined();
      expect(Object.keys(data.records)).toEqual(
        expect.arrayContaining(['activities', 'loyalty_accounts', 'point_lots', 'point_transactions', 'tier_changes']),
      );
      expect(data.records.point_transactions.map((row: { points: number; reason: string }) => row.points)).toEqual([
        500, -120,
      ]);
      expect(data.records.point_transactions[0]).toMatchObject({ type: 'adjust', reason: 'adjust 500' });
      expect(data.records.loyalty_accounts).toEqual([expect.objectContaining({ balance: 380, customer_id: me.id })]);
      expect(data.records.point_lots).toEqual([expect.objectContaining({ points: 500, remaining: 380 })]);
      // The sign-up itself is the first activity (it pays the program's signup rules).
      expect(data.records.activities).toEqual([
        expect.objectContaining({ type: 'signup' }),
        expect.objectContaining({ id: activityId, amount: 1250 }),
      ]);
      expect(data.records.tier_changes).toHaveLength(1);
      expect(res.text).not.toMatch(/password_hash|mfa_secret|\$argon2/);
    });

    it('exports only my own data', async () => {
      const { tenant, me } = await customerWithHistory();
      const other = await fx.appCustomer(tenant);
      const res = await request(t.server).get('/api/me/export').set(fx.bearer(other.token));
      expect(res.body.customer.id).toBe(other.id);
      expect(res.body.records.point_transactions).toEqual([]);
      expect(res.text).not.toContain(me.email);
    });

    it('lets admins export a customer (audited) but not staff or customers', async () => {
      const { tenant, admin, me } = await customerWithHistory();
      const staff = await fx.staffToken(tenant, 'staff');
      const exportOf = (token: string, id = me.id) =>
        request(t.server).get(`/api/admin/customers/${id}/export`).set(fx.bearer(token));
      const res = await exportOf(admin);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toContain('attachment');
      expect(res.body.records.point_transactions).toHaveLength(2);
      expect(
        await fx.inTenant(tenant.id, `SELECT 1 FROM audit_log WHERE action = 'customer.exported' AND target_id = $1`, [
          me.id,
        ]),
      ).toHaveLength(1);
      expect((await exportOf(staff)).status).toBe(403);
      expect((await exportOf(me.token)).status).toBe(403);
      const other = await customerWithHistory();
      expect((await exportOf(admin, other.me.id)).status).toBe(404);
      expect((await exportOf(admin, 'not-a-uuid')).status).toBe(404);
    });
  });

  /**
   * Rows of the customer's tables, events and customer audit entries that still hold their personal
   * data. The phone is matched whole: '7700' alone turns up by chance in UUIDs and timestamps.
   */
  async function personalDataHits(tenantId: string, me: AppCustomer): Promise<number> {
    const leftovers = await fx.inTenant<Array<{ hits: number }>>(
      tenantId,
      `SELECT ((SELECT count(*) FROM customers c WHERE c::text ILIKE '%' || $1 || '%' OR c::text LIKE '%7700%900123%'
                 OR c::text LIKE '%CRM-77%')
            + (SELECT count(*) FROM users u WHERE u::text ILIKE '%' || $1 || '%')
            + (SELECT count(*) FROM outbox o WHERE o::text ILIKE '%' || $1 || '%' OR o::text LIKE '%CRM-77%')
            + (SELECT count(*) FROM audit_log a WHERE a.target_type = 'customer'
                 AND (a::text ILIKE '%' || $1 || '%' OR a::text LIKE '%7700%900123%' OR a::text LIKE '%CRM-77%'))
              )::int AS hits`,
      [me.email],
    );
    return leftovers[0].hits;
  }

  /** What must be true of a customer once erased. */
  async function expectErased(tenantId: string, me: AppCustomer) {
    expect(await personalRow(tenantId, me.id)).toEqual([
      {
        email: null,
        external_id: null,
        first_name: '',
        last_name: '',
        phone: null,
        birthday: null,
        preferences: {},
        segments: [],
        status: 'erased',
        erased_at: expect.any(Date),
        marketing_opt_in: false,
        leaderboard_opt_out: true,
      },
    ]);
    const [user] = await userRow(tenantId, me.id);
    expect(user).toEqual({
      email: expect.stringMatching(/^erased\+[0-9a-f-]{36}@invalid$/),
      status: 'deleted',
      password_hash: null,
      mfa_secret: null,
      first_name: '',
      last_name: '',
    });
    const tokens = await fx.inTenant<Array<{ revoked_at: Date | null; revoked_reason: string | null }>>(
      tenantId,
      `SELECT revoked_at, revoked_reason FROM refresh_tokens WHERE user_id = $1`,
      [me.id],
    );
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect(token.revoked_reason).toBe('erased');

    // Nothing personal is left anywhere the customer's id leads: the row, the account, events, audit.
    expect(await personalDataHits(tenantId, me)).toBe(0);

    // Sign-in is over: the password, the access token and the refresh token are all refused.
    const login = await fx.login({ tenant: me.tenant.slug, email: me.email, password: PASSWORD });
    expect(login.status).toBe(401);
    expect((await request(t.server).get('/api/profile').set(fx.bearer(me.token))).status).toBe(401);
    expect((await fx.refresh(me.refreshToken)).status).toBe(401);
  }

  describe('DELETE /api/me', () => {
    it('erases me in one go: personal data blanked, sign-in closed, ledger and balance kept', async () => {
      const { tenant, me } = await customerWithHistory();
      const before = await fx.ledgerOf(tenant.id, me.id);
      expect(before).toEqual({ balance: 380, pending: 0, ledger: 380, rows: 2 });
      expect(await personalDataHits(tenant.id, me)).toBeGreaterThan(0);

      const res = await request(t.server).delete('/api/me').set(fx.bearer(me.token));
      expect(res.status).toBe(204);
      await expectErased(tenant.id, me);

      // Accounting survives: accounts, ledger, lots and activities, with ledger sum = balance.
      expect(await fx.ledgerOf(tenant.id, me.id)).toEqual(before);
      expect(await fx.inTenant(tenant.id, `SELECT 1 FROM activities WHERE customer_id = $1`, [me.id])).toHaveLength(2);
      expect(
        await fx.inTenant(tenant.id, `SELECT event_type, payload FROM outbox WHERE event_type = 'customer.erased'`),
      ).toEqual([{ event_type: 'customer.erased', payload: { customer_id: me.id } }]);
      expect(
        await fx.inTenant(tenant.id, `SELECT actor_id, actor_role FROM audit_log WHERE action = 'customer.erased'`),
      ).toEqual([{ actor_id: me.id, actor_role: 'customer' }]);
    });

    it('takes my whereabouts too: check-ins lose the GPS fix and device, attendances their notes', async () => {
      const { tenant, me } = await customerWithHistory();
      const [place] = await fx.inTenant<Array<{ id: string }>>(
        tenant.id,
        `INSERT INTO locations (tenant_id, name, position, radius_m)
         VALUES ($1, 'Café', ST_GeogFromText('SRID=4326;POINT(-0.1243 51.5117)'), 100) RETURNING id`,
        [tenant.id],
      );
      await fx.inTenant(
        tenant.id,
        `INSERT INTO checkins (tenant_id, customer_id, location_id, position, accuracy_m, distance_m, device, verified, occurred_at)
         VALUES ($1, $2, $3, ST_GeogFromText('SRID=4326;POINT(-0.1241 51.5118)'), 8, 17.5, '{"model":"Pixel 9"}', true, now()),
                ($1, $2, NULL, ST_GeogFromText('SRID=4326;POINT(2.3522 48.8566)'), 30, NULL, '{"os":"android"}', false, now())`,
        [tenant.id, me.id, place.id],
      );
      const [event] = await fx.inTenant<Array<{ id: string }>>(
        tenant.id,
        `INSERT INTO events (tenant_id, name, event_type, event_date) VALUES ($1, 'Meetup', 'meetup', now()) RETURNING id`,
        [tenant.id],
      );
      await fx.inTenant(
        tenant.id,
        `INSERT INTO event_attendance (tenant_id, event_id, customer_id, check_in_method, notes, recorded_by)
         VALUES ($1, $2, $3, 'manual', 'came with her sister Ana', 'staff')`,
        [tenant.id, event.id, me.id],
      );

      expect((await request(t.server).delete('/api/me').set(fx.bearer(me.token))).status).toBe(204);

      const checkins = await fx.inTenant<Array<Record<string, unknown>>>(
        tenant.id,
        `SELECT location_id, ST_AsText(position) AS position, accuracy_m, distance_m, device, verified
           FROM checkins WHERE customer_id = $1 ORDER BY location_id NULLS LAST`,
        [me.id],
      );
      expect(checkins).toEqual([
        {
          location_id: place.id,
          position: 'POINT(-0.1243 51.5117)',
          accuracy_m: null,
          distance_m: null,
          device: {},
          verified: true,
        },
        { location_id: null, position: 'POINT(0 0)', accuracy_m: null, distance_m: null, device: {}, verified: false },
      ]);
      expect(
        await fx.inTenant(tenant.id, `SELECT notes, check_in_method FROM event_attendance WHERE customer_id = $1`, [
          me.id,
        ]),
      ).toEqual([{ notes: null, check_in_method: 'manual' }]);
    });

    it('frees the e-mail: the same address can sign up again, as a new customer', async () => {
      const { tenant, me } = await customerWithHistory();
      await request(t.server).delete('/api/me').set(fx.bearer(me.token));
      const again = await request(t.server)
        .post('/api/auth/register')
        .send({ tenant: tenant.slug, email: me.email, password: PASSWORD, first_name: 'Ann', last_name: 'Again' });
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(me.id);
    });

    it('no longer counts the erased customer against the plan quota', async () => {
      const { tenant, me } = await customerWithHistory();
      const count = async () =>
        (
          await fx.inTenant<Array<{ n: number }>>(
            tenant.id,
            `SELECT count(*)::int AS n FROM customers WHERE status = 'active'`,
          )
        )[0].n;
      const before = await count();
      await request(t.server).delete('/api/me').set(fx.bearer(me.token));
      expect(await count()).toBe(before - 1);
    });

    it('closes the sign-in account of a customer who has no customers row (signed up before it existed)', async () => {
      const { tenant } = await fx.tenantWithProgram();
      const orphan = await fx.account('customer', tenant);
      const tokens = await fx.signIn(orphan);
      const res = await request(t.server).delete('/api/me').set(fx.bearer(tokens.access_token));
      expect(res.status).toBe(204);
      expect((await userRow(tenant.id, orphan.userId))[0]).toMatchObject({ status: 'deleted', password_hash: null });
      expect((await fx.login({ tenant: tenant.slug, email: orphan.email, password: PASSWORD })).status).toBe(401);
      expect((await fx.refresh(tokens.refresh_token)).status).toBe(401);
    });

    it('is for customers: a staff token erases nobody', async () => {
      const { tenant, me } = await customerWithHistory();
      const owner = await fx.staffToken(tenant, 'owner');
      expect((await request(t.server).delete('/api/me').set(fx.bearer(owner))).status).toBe(403);
      expect((await personalRow(tenant.id, me.id))[0].status).toBe('active');
    });
  });

  describe('DELETE /api/admin/customers/{id}', () => {
    it('lets an admin erase a customer with the same effect, audited without personal values', async () => {
      const { tenant, admin, me } = await customerWithHistory();
      const before = await fx.ledgerOf(tenant.id, me.id);
      const res = await request(t.server).delete(`/api/admin/customers/${me.id}`).set(fx.bearer(admin));
      expect(res.status).toBe(204);
      await expectErased(tenant.id, me);
      expect(await fx.ledgerOf(tenant.id, me.id)).toEqual(before);
      const [entry] = await fx.inTenant<Array<{ actor_role: string; before: Record<string, unknown> }>>(
        tenant.id,
        `SELECT actor_role, before FROM audit_log WHERE action = 'customer.erased'`,
      );
      expect(entry.actor_role).toBe('admin');
      expect(entry.before).toMatchObject({ email: '[personal data]', status: 'active' });

      // Staff still see the anonymous remains (for accounting), and erasing again changes nothing.
      const shown = await request(t.server).get(`/api/admin/customers/${me.id}`).set(fx.bearer(admin));
      expect(shown.body).toMatchObject({ status: 'erased', email: null, first_name: '', balance: 380 });
      expect((await request(t.server).delete(`/api/admin/customers/${me.id}`).set(fx.bearer(admin))).status).toBe(204);
      expect(await fx.inTenant(tenant.id, `SELECT 1 FROM audit_log WHERE action = 'customer.erased'`)).toHaveLength(1);
    });

    it('erases a customer pushed by a tenant server (no sign-in account), freeing the external id', async () => {
      const { tenant } = await fx.tenantWithProgram();
      const admin = await fx.staffToken(tenant, 'admin');
      const key = await fx.apiKey(tenant, ['customers:write', 'customers:read']);
      const created = await request(t.server)
        .put('/api/customers/external/SRV-1')
        .set('x-api-key', key)
        .send({ email: 'srv@example.com', first_name: 'Sam' });
      expect(
        (await request(t.server).delete(`/api/admin/customers/${created.body.id}`).set(fx.bearer(admin))).status,
      ).toBe(204);
      expect((await personalRow(tenant.id, created.body.id))[0]).toMatchObject({ email: null, external_id: null });
      expect((await request(t.server).get('/api/customers/external/SRV-1').set('x-api-key', key)).status).toBe(404);
      const fresh = await request(t.server).put('/api/customers/external/SRV-1').set('x-api-key', key).send({});
      expect(fresh.status).toBe(201);
      expect(fresh.body.id).not.toBe(created.body.id);
    });

    it('is for admins: staff get 403, another tenant’s or an unknown id 404, and nothing changes', async () => {
      const { tenant, me } = await customerWithHistory();
      const staff = await fx.staffToken(tenant, 'staff');
      expect((await request(t.server).delete(`/api/admin/customers/${me.id}`).set(fx.bearer(staff))).status).toBe(403);
      expect((await request(t.server).delete(`/api/admin/customers/${me.id}`).set(fx.bearer(me.token))).status).toBe(
        403,
      );
      const other = await fx.tenantWithProgram();
      const otherAdmin = await fx.staffToken(other.tenant, 'admin');
      for (const id of [me.id, '00000000-0000-4000-8000-000000000000', 'nope']) {
        expect((await request(t.server).delete(`/api/admin/customers/${id}`).set(fx.bearer(otherAdmin))).status).toBe(
          404,
        );
      }
      expect((await personalRow(tenant.id, me.id))[0]).toMatchObject({ status: 'active', email: me.email });
      expect((await request(t.server).get('/api/profile').set(fx.bearer(me.token))).status).toBe(200);
    });
  });
});
