import { Client } from 'pg';
import request from 'supertest';
import { RULE_STATS_SQL } from '../../src/modules/loyalty/rules/rule-stats.service';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { customerFixtures } from './customers-fixtures';

describe('GET /api/admin/rules/{id}/stats', () => {
  let t: TestApp;
  let f: ReturnType<typeof customerFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    f = customerFixtures(t);
  });
  afterAll(async () => t?.close());

  interface Shop {
    tenant: TenantEntity;
    token: string;
    get(path: string): request.Test;
    rule(body: object): Promise<string>;
    customer(): Promise<string>;
    purchase(customerId: string, amount: number, occurredAt?: string): Promise<request.Response>;
  }

  /** An admin of a fresh tenant (with a default program) who records activities through the API. */
  async function shop(overrides: Partial<TenantEntity> = {}): Promise<Shop> {
    const { tenant } = await f.tenantWithProgram({ type: 'never' }, overrides);
    const token = await f.staffToken(tenant, 'admin');
    const post = (path: string, body: object) => request(t.server).post(path).set(f.bearer(token)).send(body);
    return {
      tenant,
      token,
      get: (path) => request(t.server).get(path).set(f.bearer(token)),
      async rule(body) {
        const res = await post('/api/admin/rules', body);
        expect(res.status).toBe(201);
        return res.body.id as string;
      },
      async customer() {
        const [row] = await f.inTenant<Array<{ id: string }>>(
          tenant.id,
          `INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`,
          [tenant.id],
        );
        return row.id;
      },
      async purchase(customerId, amount, occurredAt) {
        const res = await post('/api/activities', {
          type: 'purchase',
          customer_id: customerId,
          amount,
          ...(occurredAt ? { occurred_at: occurredAt } : {}),
        });
        expect(res.status).toBe(201);
        return res;
      },
    };
  }

  /** 1 point per £1. */
  const PER_POUND = {
    name: '1 per £1',
    rule_type: 'purchase',
    effect: { type: 'points_per_unit', points: 1, per: 100 },
  };
  /** 4 points on every purchase. */
  const FLAT = { name: 'Flat 4', rule_type: 'purchase', effect: { type: 'fixed', points: 4 } };

  const fields = (res: request.Response) => (res.body.errors ?? []).map((error: { field: string }) => error.field);

  it('counts firings, customers, points and refunds per local day, exactly as recorded, rule by rule', async () => {
    // Tokyo is UTC+9: 15:00 UTC is midnight of the next local day.
    const s = await shop({ settings: { loyalty: { time_zone: 'Asia/Tokyo' } } as never });
    const perPound = await s.rule(PER_POUND);
    const flat = await s.rule(FLAT);
    const [ann, bob, cat] = [await s.customer(), await s.customer(), await s.customer()];

    await s.purchase(bob, 900, '2026-02-28T14:00:00Z'); // 23:00 on 28 February: before the window
    await s.purchase(ann, 1_000, '2026-03-01T01:00:00Z'); // 1 March
    await s.purchase(ann, 500, '2026-03-01T14:59:59Z'); // 23:59:59 on 1 March
    const big = await s.purchase(bob, 2_000, '2026-03-01T15:00:00Z'); // midnight, 2 March
    await s.purchase(cat, 700, '2026-03-03T03:00:00Z'); // 3 March
    await s.purchase(cat, 300, '2026-03-03T15:00:00Z'); // midnight, 4 March: after the window
    expect(big.body.rules_applied).toHaveLength(2);
    expect(big.body.rules_applied).toEqual(
      expect.arrayContaining([
        { rule_id: perPound, name: '1 per £1', points: 20 },
        { rule_id: flat, name: 'Flat 4', points: 4 },
      ]),
    );

    // Bob returns half of the 2 March purchase on 3 March: half of each rule's points come back.
    const refund = await request(t.server).post('/api/activities').set(f.bearer(s.token)).send({
      type: 'refund',
      customer_id: bob,
      refund_of: big.body.activity_id,
      amount: 1_000,
      occurred_at: '2026-03-03T05:00:00Z',
    });
    expect(refund.status).toBe(201);
    expect(refund.body.rules_applied).toEqual(
      expect.arrayContaining([
        { rule_id: perPound, name: 'refund', points: -10 },
        { rule_id: flat, name: 'refund', points: -2 },
      ]),
    );

    const res = await s.get(`/api/admin/rules/${perPound}/stats?from=2026-03-01&to=2026-03-03`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      rule_id: perPound,
      from: '2026-03-01',
      to: '2026-03-03',
      time_zone: 'Asia/Tokyo',
      times_fired: 4,
      customers: 3,
      points_awarded: 10 + 5 + 20 + 7,
      points_reversed: 10,
      net_points: 42 - 10,
      by_day: [
        { date: '2026-03-01', times_fired: 2, points: 15, points_reversed: 0 },
        { date: '2026-03-02', times_fired: 1, points: 20, points_reversed: 0 },
        { date: '2026-03-03', times_fired: 1, points: 7, points_reversed: 10 },
      ],
    });

    // The other rule's ledger rows are its own.
    const other = await s.get(`/api/admin/rules/${flat}/stats?from=2026-03-01&to=2026-03-03`);
    expect(other.body).toMatchObject({
      times_fired: 4,
      customers: 3,
      points_awarded: 16,
      points_reversed: 2,
      net_points: 14,
    });

    // Both rules' numbers are the ledger's: what the customers hold is what the rules gave, net.
    const ledger = await Promise.all([ann, bob, cat].map((id) => f.ledgerOf(s.tenant.id, id)));
    const whole = await s.get(`/api/admin/rules/${perPound}/stats?from=2026-02-01&to=2026-03-31`);
    const wholeFlat = await s.get(`/api/admin/rules/${flat}/stats?from=2026-02-01&to=2026-03-31`);
    expect(whole.body).toMatchObject({ times_fired: 6, customers: 3, points_awarded: 9 + 42 + 3, net_points: 44 });
    expect(whole.body.net_points + wholeFlat.body.net_points).toBe(ledger.reduce((sum, l) => sum + l.ledger, 0));
  });

  it('filters by window: one day; a day with only a refund; an empty window answers zeros', async () => {
    const s = await shop();
    const rule = await s.rule(PER_POUND);
    const [ann, bob] = [await s.customer(), await s.customer()];
    const first = await s.purchase(ann, 1_200, '2026-05-10T12:00:00Z');
    await s.purchase(bob, 800, '2026-05-11T12:00:00Z');
    await request(t.server)
      .post('/api/activities')
      .set(f.bearer(s.token))
      .send({
        type: 'refund',
        customer_id: ann,
        refund_of: first.body.activity_id,
        occurred_at: '2026-05-20T09:00:00Z',
      })
      .expect(201);

    expect((await s.get(`/api/admin/rules/${rule}/stats?from=2026-05-11&to=2026-05-11`)).body).toMatchObject({
      times_fired: 1,
      customers: 1,
      points_awarded: 8,
      points_reversed: 0,
      by_day: [{ date: '2026-05-11', times_fired: 1, points: 8, points_reversed: 0 }],
    });
    expect((await s.get(`/api/admin/rules/${rule}/stats?from=2026-05-15&to=2026-05-25`)).body).toMatchObject({
      times_fired: 0,
      customers: 0,
      points_awarded: 0,
      points_reversed: 12,
      net_points: -12,
      by_day: [{ date: '2026-05-20', times_fired: 0, points: 0, points_reversed: 12 }],
    });
    expect((await s.get(`/api/admin/rules/${rule}/stats?from=2020-01-01&to=2020-01-31`)).body).toEqual({
      rule_id: rule,
      from: '2020-01-01',
      to: '2020-01-31',
      time_zone: 'UTC',
      times_fired: 0,
      customers: 0,
      points_awarded: 0,
      points_reversed: 0,
      net_points: 0,
      by_day: [],
    });
  });

  it('covers the last 30 days by default, today included', async () => {
    const s = await shop();
    const rule = await s.rule(PER_POUND);
    const ann = await s.customer();
    await s.purchase(ann, 500);
    await s.purchase(ann, 700, new Date(Date.now() - 29 * 86_400_000).toISOString());
    await s.purchase(ann, 900, new Date(Date.now() - 31 * 86_400_000).toISOString());

    const res = await s.get(`/api/admin/rules/${rule}/stats`);
    expect(res.status).toBe(200);
    expect(res.body.to).toBe(new Date().toISOString().slice(0, 10));
    expect((Date.parse(res.body.to) - Date.parse(res.body.from)) / 86_400_000 + 1).toBe(30);
    expect(res.body).toMatchObject({ times_fired: 2, customers: 1, points_awarded: 12 });
    // `from` alone ends today; `to` alone starts 29 days before it.
    expect((await s.get(`/api/admin/rules/${rule}/stats?from=${res.body.from}`)).body.to).toBe(res.body.to);
    expect((await s.get(`/api/admin/rules/${rule}/stats?to=2026-03-31`)).body.from).toBe('2026-03-02');
  });

  it.each([
    ['a date that does not exist', 'from=2026-02-30&to=2026-03-01', 'from'],
    ['a malformed date', 'from=1/3/2026', 'from'],
    ['a timestamp rather than a date', 'to=2026-03-01T00:00:00Z', 'to'],
    ['from after to', 'from=2026-03-02&to=2026-03-01', 'from'],
    ['more than 366 days', 'from=2025-03-01&to=2026-03-02', 'to'],
  ])('refuses %s with a 400 problem naming the field', async (_name, query, field) => {
    const s = await shop();
    const rule = await s.rule(PER_POUND);
    const res = await s.get(`/api/admin/rules/${rule}/stats?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(fields(res)).toEqual([field]);
  });

  it('accepts a window of exactly 366 days', async () => {
    const s = await shop();
    const rule = await s.rule(PER_POUND);
    const res = await s.get(`/api/admin/rules/${rule}/stats?from=2025-03-02&to=2026-03-02`);
    expect(res.status).toBe(200);
  });

  it('answers 404 for another tenant’s rule, an unknown id and a malformed one, and 403 to staff', async () => {
    const mine = await shop();
    const theirs = await shop();
    const theirRule = await theirs.rule(PER_POUND);
    await theirs.purchase(await theirs.customer(), 1_000);

    for (const id of [theirRule, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await mine.get(`/api/admin/rules/${id}/stats`);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(res.body)).not.toContain('"times_fired"');
    }
    // Even a bad window on another tenant's rule says nothing about it beyond the 400.
    expect((await mine.get(`/api/admin/rules/${theirRule}/stats?from=2026-03-02&to=2026-03-01`)).status).toBe(404);

    const staff = await f.staffToken(theirs.tenant, 'staff');
    const refused = await request(t.server).get(`/api/admin/rules/${theirRule}/stats`).set(f.bearer(staff));
    expect(refused.status).toBe(403);
    expect((await theirs.get(`/api/admin/rules/${theirRule}/stats`)).body.times_fired).toBe(1);
  });

  it('reads a rule’s rows through the rule index, over 300,000 ledger rows of 20 rules', async () => {
    const s = await shop();
    const ids = [];
    for (let i = 0; i < 20; i += 1) ids.push(await s.rule({ ...FLAT, name: `R${i}` }));
    const customers = [await s.customer(), await s.customer(), await s.customer()];
    // Seeded as the owner (no statement timeout): a bulk load, not what the application does.
    // 200,000 purchases two minutes apart from 1 January, each earning from rule i % 20, every
    // other one from the first rule too; a redemption (no rule) every tenth.
    const owner = new Client({ connectionString: t.database.ownerUrl });
    await owner.connect();
    try {
      await owner.query(`SELECT set_config('app.tenant_id', $1, false)`, [s.tenant.id]);
      await owner.query(
        `INSERT INTO loyalty_accounts (tenant_id, customer_id, program_id)
         SELECT $1, c, (SELECT id FROM programs LIMIT 1) FROM unnest($2::uuid[]) c`,
        [s.tenant.id, customers],
      );
      await owner.query(
        `CREATE TEMP TABLE seeded AS
         SELECT i, gen_random_uuid() AS activity_id, timestamptz '2026-01-01' + make_interval(mins => i * 2) AS at,
                ($1::uuid[])[1 + i % 3] AS customer_id
           FROM generate_series(0, 199999) i`,
        [customers],
      );
      await owner.query(
        `INSERT INTO activities (tenant_id, id, customer_id, program_id, type, amount, occurred_at, created_at)
         SELECT $1, activity_id, customer_id, (SELECT id FROM programs LIMIT 1), 'purchase', 100, at, at FROM seeded`,
        [s.tenant.id],
      );
      await owner.query(
        `INSERT INTO point_transactions (tenant_id, account_id, type, points, balance_after, activity_id, rule_id, created_at)
         SELECT $1::uuid, a.id, 'earn', 4, 4, s.activity_id, r.rule_id, s.at
           FROM seeded s JOIN loyalty_accounts a ON a.customer_id = s.customer_id
           CROSS JOIN LATERAL (SELECT ($2::uuid[])[1 + s.i % 20] AS rule_id
                               UNION ALL SELECT ($2::uuid[])[1] WHERE s.i % 2 = 1) r
         UNION ALL
         SELECT $1::uuid, a.id, 'redeem', -4, 0, NULL::uuid, NULL::uuid, s.at + interval '1 minute'
           FROM seeded s JOIN loyalty_accounts a ON a.customer_id = s.customer_id WHERE s.i % 10 = 0`,
        [s.tenant.id, ids],
      );
      await owner.query('VACUUM ANALYZE activities, point_transactions');
    } finally {
      await owner.end();
    }

    const started = performance.now();
    const res = await s.get(`/api/admin/rules/${ids[7]}/stats?from=2026-03-01&to=2026-03-31`);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    // 31 days of 720 purchases a day, one in 20 of them from rule 7.
    expect(res.body).toMatchObject({ times_fired: (31 * 720) / 20, customers: 3, points_awarded: (31 * 720 * 4) / 20 });
    expect(res.body.by_day).toHaveLength(31);

    // A rule of one purchase in 20 over a month of the middle; the rule of more than half of them
    // over the last month (the bound on created_at spares it the months before).
    const windows: Array<[string, string, string]> = [
      [ids[7], '2026-03-01', '2026-03-31'],
      [ids[0], '2026-09-01', '2026-09-30'],
    ];
    for (const [rule, from, to] of windows) {
      const plan = await f.inTenant<Array<{ 'QUERY PLAN': string }>>(s.tenant.id, `EXPLAIN ${RULE_STATS_SQL}`, [
        s.tenant.id,
        rule,
        'UTC',
        from,
        to,
      ]);
      const text = plan.map((row) => row['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Scan (on|using) point_transactions_rule_idx/);
      expect(text).not.toMatch(/Seq Scan on point_transactions/);
    }
    console.log(
      `stats of ${res.body.times_fired} firings among 300,000 ledger rows: ${elapsed.toFixed(0)} ms through HTTP`,
    );
  });
});
