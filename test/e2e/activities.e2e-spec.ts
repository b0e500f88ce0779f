import request from 'supertest';
import { DataSource, EntityManager } from 'typeorm';
import { runInTenant } from '../../src/database/tenant-transaction';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { authFixtures } from './auth-fixtures';

describe('POST /api/activities', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let fixtures: ReturnType<typeof authFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    fixtures = authFixtures(t);
  });
  afterAll(async () => t?.close());

  interface Shop {
    tenant: TenantEntity;
    token: string;
    programId: string;
    customerId: string;
    inTenant<T>(work: (m: EntityManager) => Promise<T>): Promise<T>;
    rule(definition: object): Promise<string>;
    post(body: object, headers?: Record<string, string>, query?: string): request.Test;
  }

  /** A tenant with an admin, a default program, a customer and 1 point per £1 on purchases. */
  async function shop(program: { pending_days?: number; expiry_policy?: object } = {}): Promise<Shop> {
    const admin = await fixtures.account('admin');
    const { access_token: token } = await fixtures.signIn(admin);
    const tenant = admin.tenant;
    const inTenant = <T>(work: (m: EntityManager) => Promise<T>) => runInTenant(dataSource, tenant.id, work);
    const [programRow] = await inTenant((m) =>
      m.query(
        `INSERT INTO programs (tenant_id, name, is_default, pending_days, expiry_policy) VALUES ($1, 'Rewards', true, $2, $3) RETURNING id`,
        [tenant.id, program.pending_days ?? 0, JSON.stringify(program.expiry_policy ?? { type: 'never' })],
      ),
    );
    const [customer] = await inTenant((m) =>
      m.query(
        `INSERT INTO customers (tenant_id, external_id, email) VALUES ($1, 'ext-1', 'c@example.com') RETURNING id`,
        [tenant.id],
      ),
    );
    const rule = async (definition: object) => {
      const d = {
        rule_type: 'purchase',
        priority: 10,
        stacking: 'stackable',
        conditions: {},
        caps: {},
        ...definition,
      } as Record<string, unknown>;
      const [row] = await inTenant((m) =>
        m.query(
          `INSERT INTO rules (tenant_id, program_id, name, rule_type, priority, stacking, conditions, effect, caps)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
          [
            tenant.id,
            programRow.id,
            d.name ?? 'rule',
            d.rule_type,
            d.priority,
            d.stacking,
            JSON.stringify(d.conditions),
            JSON.stringify(d.effect),
            JSON.stringify(d.caps),
          ],
        ),
      );
      return row.id as string;
    };
    const post = (body: object, headers: Record<string, string> = {}, query = '') => {
      const call = request(t.server).post(`/api/activities${query}`).set('authorization', `Bearer ${token}`);
      for (const [name, value] of Object.entries(headers)) void call.set(name, value);
      return call.send(body);
    };
    return { tenant, token, programId: programRow.id, customerId: customer.id, inTenant, rule, post };
  }

  const ledger = (s: Shop) =>
    s.inTenant((m) =>
      m.query(
        `SELECT type, points::int AS points, rule_id, balance_after::int AS balance_after FROM point_transactions ORDER BY created_at, balance_after`,
      ),
    );
  const outbox = (s: Shop) => s.inTenant((m) => m.query(`SELECT event_type, payload FROM outbox ORDER BY sequence`));
  const balanceOf = async (s: Shop) =>
    Number(
      (
        await s.inTenant((m) => m.query(`SELECT balance FROM loyalty_accounts WHERE customer_id = $1`, [s.customerId]))
      )[0]?.balance ?? 0,
    );

  it('earns per rule in one transaction: activity, ledger rows, lots, balance and outbox', async () => {
    const s = await shop();
    const perPound = await s.rule({ name: '1 point per £1', effect: { type: 'points_per_unit', points: 1, per: 100 } });
    const bonus = await s.rule({ name: 'Bonus', priority: 5, effect: { type: 'bonus', points: 50 } });
    const res = await s.post({
      type: 'purchase',
      customer_id: s.customerId,
      amount: 1250,
      currency: 'USD',
      reference: 'order-1',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ points_awarded: 62, balance: 62, pending_balance: 0, tier: null, dry_run: false });
    expect(res.body.rules_applied).toEqual([
      { rule_id: perPound, name: '1 point per £1', points: 12 },
      { rule_id: bonus, name: 'Bonus', points: 50 },
    ]);
    expect(await ledger(s)).toEqual([
      { type: 'earn', points: 12, rule_id: perPound, balance_after: 12 },
      { type: 'earn', points: 50, rule_id: bonus, balance_after: 62 },
    ]);
    const lots = await s.inTenant((m) =>
      m.query(`SELECT remaining::int AS remaining FROM point_lots ORDER BY remaining`),
    );
    expect(lots).toEqual([{ remaining: 12 }, { remaining: 50 }]);
    expect((await outbox(s)).map((event: { event_type: string }) => event.event_type)).toEqual([
      'activity.recorded',
      'points.earned',
    ]);
  });

  it('resolves the customer by external id and refuses unknown, erased or foreign customers with 404', async () => {
    const s = await shop();
    const other = await shop();
    await s.rule({ effect: { type: 'fixed', points: 10 } });
    expect((await s.post({ type: 'purchase', external_customer_id: 'ext-1', amount: 100 })).status).toBe(201);
    for (const body of [
      { type: 'purchase', external_customer_id: 'nobody', amount: 100 },
      { type: 'purchase', customer_id: other.customerId, amount: 100 },
    ]) {
      const res = await s.post(body);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    expect(await ledger(other)).toEqual([]);
  });

  it.each([
    [{ type: 'purchase', amount: 100 }, 'customer_id'],
    [
      { type: 'purchase', customer_id: '00000000-0000-4000-8000-000000000000', external_customer_id: 'x', amount: 100 },
      'customer_id',
    ],
    [{ type: 'purchase', external_customer_id: 'ext-1' }, 'amount'],
    [{ type: 'purchase', external_customer_id: 'ext-1', amount: -5 }, 'amount'],
    [{ type: 'purchase', external_customer_id: 'ext-1', amount: 1.5 }, 'amount'],
    [{ type: 'teleport', external_customer_id: 'ext-1' }, 'type'],
    [{ type: 'purchase', external_customer_id: 'ext-1', amount: 100, currency: 'pounds' }, 'currency'],
    [
      { type: 'purchase', external_customer_id: 'ext-1', amount: 100, occurred_at: '2999-01-01T00:00:00Z' },
      'occurred_at',
    ],
    [{ type: 'refund', external_customer_id: 'ext-1', amount: 100 }, 'refund_of'],
  ])('refuses %j with a 400 naming %s and writes nothing', async (body, field) => {
    const s = await shop();
    await s.rule({ effect: { type: 'fixed', points: 10 } });
    const res = await s.post(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await ledger(s)).toEqual([]);
    expect(await s.inTenant((m) => m.query(`SELECT 1 FROM activities`))).toEqual([]);
  });

  it('evaluates without writing on ?dry_run=true', async () => {
    const s = await shop();
    await s.rule({ effect: { type: 'fixed', points: 25 } });
    const res = await s.post({ type: 'purchase', customer_id: s.customerId, amount: 100 }, {}, '?dry_run=true');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ activity_id: null, points_awarded: 25, dry_run: true, balance: 0 });
    expect(await ledger(s)).toEqual([]);
    expect(await outbox(s)).toEqual([]);
    expect(await s.inTenant((m) => m.query(`SELECT 1 FROM activities`))).toEqual([]);
  });

  it('honours a daily cap across activities', async () => {
    const s = await shop();
    await s.rule({ effect: { type: 'fixed', points: 40 }, caps: { per_customer: { day: 100 } } });
    const awarded = [];
    for (let i = 0; i < 4; i++)
      awarded.push((await s.post({ type: 'purchase', customer_id: s.customerId, amount: 100 })).body.points_awarded);
    expect(awarded).toEqual([40, 40, 20, 0]);
    expect(await balanceOf(s)).toBe(100);
  });

  it('never spends a rule budget twice, even under concurrency across customers', async () => {
    const s = await shop();
    const ruleId = await s.rule({ effect: { type: 'fixed', points: 30 }, caps: { budget_points: 100 } });
    const customers = await s.inTenant(async (m) => {
      const ids: string[] = [];
      for (let i = 0; i < 8; i++)
        ids.push((await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [s.tenant.id]))[0].id);
      return ids;
    });
    const responses = await Promise.all(
      customers.map((id) => s.post({ type: 'purchase', customer_id: id, amount: 100 })),
    );
    expect(responses.every((res) => res.status === 201)).toBe(true);
    const total = responses.reduce((sum, res) => sum + res.body.points_awarded, 0);
    expect(total).toBe(100);
    const [rule] = await s.inTenant((m) =>
      m.query(`SELECT points_awarded::int AS awarded FROM rules WHERE id = $1`, [ruleId]),
    );
    expect(rule.awarded).toBe(100);
  });

  it('reverses refunds in proportion, from what the purchase earned even after the rule changed, never below zero', async () => {
    const s = await shop();
    const ruleId = await s.rule({ effect: { type: 'points_per_unit', points: 1, per: 100 } });
    const purchase = await s.post({
      type: 'purchase',
      customer_id: s.customerId,
      amount: 10_000,
      reference: 'order-9',
    });
    expect(purchase.body.points_awarded).toBe(100);
    await s.inTenant((m) =>
      m.query(`UPDATE rules SET effect = '{"type":"points_per_unit","points":5,"per":100}' WHERE id = $1`, [ruleId]),
    );

    const partial = await s.post({ type: 'refund', customer_id: s.customerId, amount: 2_500, reference: 'order-9' });
    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({ points_awarded: -25, balance: 75, shortfall: 0 });

    // The customer spends 60 of the remaining 75 points; the rest of the refund can only take 15.
    await s.inTenant(async (m) => {
      const [account] = await m.query(`SELECT id FROM loyalty_accounts WHERE customer_id = $1`, [s.customerId]);
      const { lockAccountById, debit } = await import('../../src/modules/loyalty/ledger/ledger');
      await debit(m, (await lockAccountById(m, s.tenant.id, account.id))!, { type: 'redeem', points: 60 });
    });
    const rest = await s.post({ type: 'refund', customer_id: s.customerId, refund_of: purchase.body.activity_id });
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ points_awarded: -15, balance: 0, shortfall: 60 });

    const again = await s.post({
      type: 'refund',
      customer_id: s.customerId,
      amount: 1,
      refund_of: purchase.body.activity_id,
    });
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('refund_exceeds_purchase');
    const sum = (await ledger(s)).reduce((total: number, row: { points: number }) => total + row.points, 0);
    expect(sum).toBe(await balanceOf(s));
  });

  it('pays refund rules on a refund, as simulate predicts, on top of the reversal', async () => {
    const s = await shop();
    await s.rule({ effect: { type: 'points_per_unit', points: 1, per: 100 } });
    const goodwill = await s.rule({ name: 'Sorry bonus', rule_type: 'refund', effect: { type: 'fixed', points: 5 } });
    const purchase = await s.post({ type: 'purchase', customer_id: s.customerId, amount: 10_000 });
    const refund = await s.post({
      type: 'refund',
      customer_id: s.customerId,
      amount: 10_000,
      refund_of: purchase.body.activity_id,
    });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ points_awarded: 5 - 100, balance: 5 });
    expect(refund.body.rules_applied).toContainEqual({ rule_id: goodwill, name: 'Sorry bonus', points: 5 });
    const sum = (await ledger(s)).reduce((total: number, row: { points: number }) => total + row.points, 0);
    expect(sum).toBe(5);
  });

  it('upgrades the tier when earning crosses a threshold and records it', async () => {
    const s = await shop();
    await s.rule({ effect: { type: 'points_per_unit', points: 1, per: 100 } });
    const [gold] = await s.inTenant((m) =>
      m.query(
        `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold, basis, benefits) VALUES ($1, $2, 'Gold', 1, 100, 'lifetime', '{"earn_multiplier": 2}') RETURNING id`,
        [s.tenant.id, s.programId],
      ),
    );
    const first = await s.post({ type: 'purchase', customer_id: s.customerId, amount: 10_000 });
    expect(first.body.tier).toEqual({ id: gold.id, name: 'Gold' });
    const second = await s.post({ type: 'purchase', customer_id: s.customerId, amount: 1_000 });
    expect(second.body.points_awarded).toBe(20); // Gold's ×2 multiplier
    const history = await s.inTenant((m) => m.query(`SELECT from_tier_id, to_tier_id, reason FROM tier_changes`));
    expect(history).toEqual([{ from_tier_id: null, to_tier_id: gold.id, reason: 'earned' }]);
    expect(
      (await outbox(s)).filter((event: { event_type: string }) => event.event_type === 'tier.changed'),
    ).toHaveLength(1);
  });

  it('holds points for the pending period', async () => {
    const s = await shop({ pending_days: 14 });
    await s.rule({ effect: { type: 'fixed', points: 30 } });
    const res = await s.post({ type: 'purchase', customer_id: s.customerId, amount: 100 });
    expect(res.body).toMatchObject({ points_awarded: 30, balance: 0, pending_balance: 30 });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response, refuses the key with another body, and has one effect under concurrency', async () => {
      const s = await shop();
      await s.rule({ effect: { type: 'fixed', points: 10 } });
      const body = { type: 'purchase', customer_id: s.customerId, amount: 500 };
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => s.post(body, { 'idempotency-key': 'order-77' })),
      );
      expect(new Set(responses.map((res) => res.status))).toEqual(new Set([201]));
      expect(new Set(responses.map((res) => res.body.activity_id)).size).toBe(1);
      expect(responses.filter((res) => res.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      expect(await ledger(s)).toHaveLength(1);

      const reused = await s.post({ ...body, amount: 600 }, { 'idempotency-key': 'order-77' });
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(await ledger(s)).toHaveLength(1);
    });
  });

  it('answers 403 to a customer and to staff', async () => {
    const s = await shop();
    for (const role of ['customer', 'staff'] as const) {
      const who = await fixtures.account(role, s.tenant);
      const { access_token } = await fixtures.signIn(who);
      const res = await request(t.server)
        .post('/api/activities')
        .set('authorization', `Bearer ${access_token}`)
        .send({ type: 'purchase', customer_id: s.customerId, amount: 100 });
      expect(res.status).toBe(403);
    }
  });
});
