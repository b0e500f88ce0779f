import { Client } from 'pg';
import request from 'supertest';
import { runInTenant } from '../../src/database/tenant-transaction';
import { credit, lockAccount } from '../../src/modules/loyalty/ledger/ledger';
import { startTestApp, TestApp } from '../support/test-app';
import { customerFixtures } from './customers-fixtures';

const DAY = 86_400_000;

describe('customer app: profile, points and tiers', () => {
  let t: TestApp;
  let fx: ReturnType<typeof customerFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = customerFixtures(t);
  });
  afterAll(async () => t?.close());

  const as = (token: string) => ({
    get: (path: string) => request(t.server).get(path).set(fx.bearer(token)),
    patch: (path: string, body: object) => request(t.server).patch(path).set(fx.bearer(token)).send(body),
  });

  /** Points earned through the ledger itself, as the activity engine will: one lot per entry. */
  async function earn(
    tenantId: string,
    customerId: string,
    programId: string,
    points: number,
    expiresAt: Date | null,
    availableAt: Date | null = null,
  ) {
    await runInTenant(fx.dataSource, tenantId, async (manager) => {
      const account = await lockAccount(manager, tenantId, customerId, programId);
      await credit(manager, account, [{ type: 'earn', points, reason: 'purchase' }], {
        now: new Date(),
        availableAt,
        expiresAt,
      });
    });
  }

  /** Moves every ledger row of the tenant back in time; the application role may not (append-only). */
  async function backdateLedger(tenantId: string, interval: string) {
    const owner = new Client({ connectionString: t.database.ownerUrl });
    await owner.connect();
    try {
      await owner.query('BEGIN');
      await owner.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      await owner.query(`UPDATE point_transactions SET created_at = created_at - $1::interval`, [interval]);
      await owner.query('COMMIT');
    } finally {
      await owner.end();
    }
  }

  async function ladder(tenantId: string, programId: string) {
    const tiers = await fx.inTenant<Array<{ id: string; name: string }>>(
      tenantId,
      `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold, benefits) VALUES
         ($1, $2, 'Bronze', 0, 0, '{"earn_multiplier": 1}'),
         ($1, $2, 'Silver', 1, 1000, '{"earn_multiplier": 1.25, "free_delivery": true}'),
         ($1, $2, 'Gold', 2, 5000, '{"earn_multiplier": 1.5}')
       RETURNING id, name`,
      [tenantId, programId],
    );
    return Object.fromEntries(tiers.map((tier) => [tier.name, tier.id]));
  }

  describe('GET and PATCH /api/profile', () => {
    it('shows and changes my own profile; names reach my sign-in account', async () => {
      const { tenant } = await fx.tenantWithProgram();
      const me = await fx.appCustomer(tenant);
      const shown = await as(me.token).get('/api/profile');
      expect(shown.status).toBe(200);
      expect(shown.body).toEqual({
        id: me.id,
        email: me.email,
        first_name: 'Ann',
        last_name: 'Lee',
        phone: null,
        birthday: null,
        preferences: {},
        marketing_opt_in: false,
        leaderboard_opt_out: false,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });

      const changed = await as(me.token).patch('/api/profile', {
        first_name: 'Annabel',
        phone: '+44 7700 900123',
        birthday: '1991-02-03',
        preferences: { language: 'en-GB', notifications: { email: false } },
        marketing_opt_in: true,
        leaderboard_opt_out: true,
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        first_name: 'Annabel',
        last_name: 'Lee',
        phone: '+44 7700 900123',
        birthday: '1991-02-03',
        preferences: { language: 'en-GB', notifications: { email: false } },
        marketing_opt_in: true,
        leaderboard_opt_out: true,
      });
      expect((await as(me.token).get('/api/profile')).body).toEqual(changed.body);
      expect((await fx.me(me.token)).body).toMatchObject({ first_name: 'Annabel', email: me.email });

      const cleared = await as(me.token).patch('/api/profile', { phone: null, birthday: null });
      expect(cleared.body).toMatchObject({ phone: null, birthday: null, first_name: 'Annabel' });
    });

    it('refuses the e-mail and bad fields with 400 naming them, and changes nothing', async () => {
      const { tenant } = await fx.tenantWithProgram();
      const me = await fx.appCustomer(tenant);
      const before = (await as(me.token).get('/api/profile')).body;
      const cases: Array<[object, string]> = [
        [{ email: 'new@example.com' }, 'email'],
        [{ segments: ['vip'] }, 'segments'],
        [{ external_id: 'mine' }, 'external_id'],
        [{ preferences: ['a'] }, 'preferences'],
        [{ preferences: 'dark' }, 'preferences'],
        [{ preferences: null }, 'preferences'],
        [{ preferences: { blob: 'x'.repeat(8200) } }, 'preferences'],
        [{ birthday: '1991-02-30' }, 'birthday'],
        [{ birthday: 'tomorrow' }, 'birthday'],
        [{ first_name: 'x'.repeat(101) }, 'first_name'],
        [{ marketing_opt_in: 'true' }, 'marketing_opt_in'],
        [{ first_name: 'Valid', phone: 'not a phone' }, 'phone'],
      ];
      for (const [body, field] of cases) {
        const res = await as(me.token).patch('/api/profile', body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      expect((await as(me.token).get('/api/profile')).body).toEqual(before);
    });

    it('is for customers: staff get 403; a customer without a profile row gets 404', async () => {
      const { tenant } = await fx.tenantWithProgram();
      const staff = await fx.staffToken(tenant, 'owner');
      expect((await as(staff).get('/api/profile')).status).toBe(403);
      expect((await as(staff).patch('/api/profile', { first_name: 'X' })).status).toBe(403);
      expect((await request(t.server).get('/api/profile')).status).toBe(401);

      const orphan = await fx.account('customer', tenant);
      const token = (await fx.signIn(orphan)).access_token;
      const res = await as(token).get('/api/profile');
      expect(res.status).toBe(404);
    });
  });

  describe('GET /api/points/balance', () => {
    it('shows balance, pending, lifetime, tier, next tier and points expiring within 90 days grouped by instant', async () => {
      const { tenant, programId } = await fx.tenantWithProgram();
      const tiers = await ladder(tenant.id, programId);
      const me = await fx.appCustomer(tenant);
      const soon = new Date(Date.now() + 10 * DAY);
      const later = new Date(Date.now() + 60 * DAY);
      await earn(tenant.id, me.id, programId, 300, soon);
      await earn(tenant.id, me.id, programId, 200, soon);
      await earn(tenant.id, me.id, programId, 400, later);
      await earn(tenant.id, me.id, programId, 500, new Date(Date.now() + 200 * DAY));
      await earn(tenant.id, me.id, programId, 100, null);
      await earn(tenant.id, me.id, programId, 50, soon, new Date(Date.now() + 5 * DAY));

      const res = await as(me.token).get('/api/points/balance');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        program_id: programId,
        balance: 1500,
        pending_balance: 50,
        lifetime_points: 1550,
        tier: { id: tiers.Silver, name: 'Silver' },
        next_tier: { id: tiers.Gold, name: 'Gold' },
        points_to_next_tier: 3450,
        expiring: [
          { points: 500, expires_at: soon.toISOString() },
          { points: 400, expires_at: later.toISOString() },
        ],
      });
    });

    it('answers zeros and the entry tier for a new customer, and no tier where the program has none', async () => {
      const { tenant, programId } = await fx.tenantWithProgram();
      const me = await fx.appCustomer(tenant);
      expect((await as(me.token).get('/api/points/balance')).body).toEqual({
        program_id: programId,
        balance: 0,
        pending_balance: 0,
        lifetime_points: 0,
        tier: null,
        next_tier: null,
        points_to_next_tier: null,
        expiring: [],
      });
      const tiers = await ladder(tenant.id, programId);
      expect((await as(me.token).get('/api/points/balance')).body).toMatchObject({
        tier: { id: tiers.Bronze, name: 'Bronze' },
        next_tier: { id: tiers.Silver, name: 'Silver' },
        points_to_next_tier: 1000,
      });
    });

    it('shows the tier recorded on my account even when my points no longer earn it', async () => {
      const { tenant, programId } = await fx.tenantWithProgram();
      const tiers = await ladder(tenant.id, programId);
      const me = await fx.appCustomer(tenant);
      await fx.inTenant(
        tenant.id,
        `INSERT INTO loyalty_accounts (tenant_id, customer_id, program_id, tier_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, customer_id, program_id) DO UPDATE SET tier_id = EXCLUDED.tier_id`,
        [tenant.id, me.id, programId, tiers.Gold],
      );
      expect((await as(me.token).get('/api/points/balance')).body).toMatchObject({
        tier: { id: tiers.Gold, name: 'Gold' },
        next_tier: null,
        points_to_next_tier: null,
      });
    });

    it('counts neither expired points the job has not yet written off nor holds that are over; admin view, catalog and redemption agree', async () => {
      const { tenant, programId } = await fx.tenantWithProgram();
      const admin = await fx.staffToken(tenant, 'admin');
      const me = await fx.appCustomer(tenant);
      const soon = new Date(Date.now() + 10 * DAY);
      const inFiveDays = new Date(Date.now() + 5 * DAY);
      await earn(tenant.id, me.id, programId, 300, soon);
      await earn(tenant.id, me.id, programId, 200, soon);
      await earn(tenant.id, me.id, programId, 50, null, inFiveDays);
      await earn(tenant.id, me.id, programId, 40, soon, inFiveDays);
      // Time passes without the maintenance jobs: the 200 and the held 40 expire, both holds end.
      await fx.inTenant(
        tenant.id,
        `UPDATE point_lots SET expires_at = now() - interval '1 hour' WHERE points IN (200, 40)`,
      );
      await fx.inTenant(tenant.id, `UPDATE point_lots SET available_at = now() - interval '1 hour' WHERE pending`);

      expect((await as(me.token).get('/api/points/balance')).body).toMatchObject({
        balance: 350,
        pending_balance: 0,
        lifetime_points: 590,
        expiring: [{ points: 300, expires_at: soon.toISOString() }],
      });
      const adminView = await as(admin).get(`/api/admin/customers/${me.id}`);
      expect(adminView.body).toMatchObject({ balance: 350, pending_balance: 0, lifetime_points: 590 });

      const reward = async (point_cost: number) => {
        const res = await request(t.server)
          .post('/api/admin/rewards')
          .set(fx.bearer(admin))
          .send({ name: `Costs ${point_cost}`, point_cost });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      const [affordable, tooDear] = [await reward(350), await reward(351)];
      const catalog = await as(me.token).get('/api/rewards');
      expect(
        catalog.body.data.map((r: { id: string; eligible: boolean; reason: string | null }) => [
          r.id,
          r.eligible,
          r.reason,
        ]),
      ).toEqual([
        [affordable, true, null],
        [tooDear, false, 'insufficient_points'],
      ]);
      const redeem = (id: string) =>
        request(t.server).post(`/api/rewards/${id}/redeem`).set(fx.bearer(me.token)).send({});
      expect((await redeem(tooDear)).body.code).toBe('insufficient_points');
      expect((await redeem(affordable)).body).toMatchObject({ points_used: 350, balance: 0 });
      expect((await as(me.token).get('/api/points/balance')).body).toMatchObject({ balance: 0, pending_balance: 0 });
    });

    it('shows only my own points, never another customer’s or tenant’s', async () => {
      const { tenant, programId } = await fx.tenantWithProgram();
      const me = await fx.appCustomer(tenant);
      const neighbour = await fx.appCustomer(tenant);
      await earn(tenant.id, neighbour.id, programId, 999, null);
      expect((await as(me.token).get('/api/points/balance')).body.balance).toBe(0);
      expect((await as(neighbour.token).get('/api/points/balance')).body.balance).toBe(999);
    });
  });

  describe('GET /api/points/history', () => {
    it('lists my ledger newest first, page by page', async () => {
      const { tenant, programId } = await fx.tenantWithProgram();
      const me = await fx.appCustomer(tenant);
      const admin = await fx.staffToken(tenant, 'admin');
      await earn(tenant.id, me.id, programId, 100, null);
      await request(t.server)
        .post(`/api/admin/customers/${me.id}/adjust-points`)
        .set(fx.bearer(admin))
        .send({ points: -30, reason: 'Correction' });
      await earn(tenant.id, me.id, programId, 5, null);

      const first = await as(me.token).get('/api/points/history?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.data.map((row: { points: number }) => row.points)).toEqual([5, -30]);
      expect(first.body.data[1]).toEqual({
        id: expect.any(String),
        program_id: programId,
        type: 'adjust',
        points: -30,
        balance_after: 70,
        pending: false,
        reason: 'Correction',
        activity_id: null,
        created_at: expect.any(String),
      });
      const second = await as(me.token).get(`/api/points/history?limit=2&cursor=${first.body.next_cursor}`);
      expect(second.body.data.map((row: { points: number; type: string }) => [row.type, row.points])).toEqual([
        ['earn', 100],
      ]);
      expect(second.body.next_cursor).toBeNull();

      const other = await fx.appCustomer(tenant);
      expect((await as(other.token).get('/api/points/history')).body).toEqual({ data: [], next_cursor: null });
      expect((await as(me.token).get('/api/points/history?cursor=forged')).status).toBe(400);
    });
  });

  describe('GET /api/tiers and /api/tiers/current', () => {
    it('lists the default program’s tiers by rank with thresholds and benefits', async () => {
      const { tenant, programId } = await fx.tenantWithProgram();
      const tiers = await ladder(tenant.id, programId);
      const me = await fx.appCustomer(tenant);
      const res = await as(me.token).get('/api/tiers');
      expect(res.status).toBe(200);
      expect(res.body.next_cursor).toBeNull();
      expect(res.body.data).toEqual([
        {
          id: tiers.Bronze,
          name: 'Bronze',
          rank: 0,
          threshold: 0,
          basis: 'lifetime',
          window_days: null,
          benefits: { earn_multiplier: 1 },
        },
        expect.objectContaining({
          name: 'Silver',
          threshold: 1000,
          benefits: { earn_multiplier: 1.25, free_delivery: true },
        }),
        expect.objectContaining({ name: 'Gold', rank: 2, threshold: 5000 }),
      ]);
    });

    it('shows my tier, the next and my progress in points and percent', async () => {
      const { tenant, programId } = await fx.tenantWithProgram();
      const tiers = await ladder(tenant.id, programId);
      const me = await fx.appCustomer(tenant);
      await earn(tenant.id, me.id, programId, 3000, null);
      const res = await as(me.token).get('/api/tiers/current');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        program_id: programId,
        tier: expect.objectContaining({ id: tiers.Silver, name: 'Silver', threshold: 1000 }),
        next_tier: expect.objectContaining({ id: tiers.Gold, name: 'Gold', threshold: 5000 }),
        basis: 'lifetime',
        window_days: null,
        points: 3000,
        points_to_next_tier: 2000,
        progress_percent: 50,
      });
    });

    it('measures qualifying tiers on the points earned inside their window', async () => {
      const { tenant, programId } = await fx.tenantWithProgram();
      await fx.inTenant(
        tenant.id,
        `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold, basis, window_days) VALUES
           ($1, $2, 'Member', 0, 0, 'lifetime', NULL), ($1, $2, 'VIP', 1, 800, 'qualifying', 365)`,
        [tenant.id, programId],
      );
      const me = await fx.appCustomer(tenant);
      await earn(tenant.id, me.id, programId, 200, null);
      await backdateLedger(tenant.id, '2 years');
      await earn(tenant.id, me.id, programId, 300, null);
      const res = await as(me.token).get('/api/tiers/current');
      expect(res.body).toMatchObject({
        tier: expect.objectContaining({ name: 'Member' }),
        next_tier: expect.objectContaining({ name: 'VIP' }),
        basis: 'qualifying',
        window_days: 365,
        points: 300,
        points_to_next_tier: 500,
        progress_percent: 37,
      });
    });

    it('is for customers only', async () => {
      const { tenant } = await fx.tenantWithProgram();
      const staff = await fx.staffToken(tenant, 'admin');
      const key = await fx.apiKey(tenant, ['customers:read']);
      for (const path of ['/api/tiers', '/api/tiers/current', '/api/points/balance', '/api/points/history']) {
        expect((await as(staff).get(path)).status).toBe(403);
        expect((await as(key).get(path)).status).toBe(403);
        expect((await request(t.server).get(path)).status).toBe(401);
      }
    });
  });
});
