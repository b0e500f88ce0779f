import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant } from '../../src/database/tenant-transaction';
import { startTestApp, TestApp } from '../support/test-app';
import { authFixtures } from './auth-fixtures';

describe('one account under 200 parallel earns and spends over HTTP', () => {
  let t: TestApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
  });
  afterAll(async () => t?.close());

  it('ends with balance = ledger sum = spendable lots, never below zero, and every refusal a 422', async () => {
    const fixtures = authFixtures(t);
    const admin = await fixtures.account('admin');
    const { access_token: token } = await fixtures.signIn(admin);
    const tenantId = admin.tenant.id;
    const customerId = await runInTenant(dataSource, tenantId, async (m) => {
      const [program] = await m.query(
        `INSERT INTO programs (tenant_id, name, is_default) VALUES ($1, 'P', true) RETURNING id`,
        [tenantId],
      );
      await m.query(
        `INSERT INTO rules (tenant_id, program_id, name, rule_type, effect) VALUES ($1, $2, 'ten', 'purchase', '{"type":"fixed","points":10}')`,
        [tenantId, program.id],
      );
      const [customer] = await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [tenantId]);
      return customer.id as string;
    });

    const earn = () =>
      request(t.server)
        .post('/api/activities')
        .set('authorization', `Bearer ${token}`)
        .send({ type: 'purchase', customer_id: customerId, amount: 100 });
    const spend = () =>
      request(t.server)
        .post(`/api/admin/customers/${customerId}/adjust-points`)
        .set('authorization', `Bearer ${token}`)
        .send({ points: -15, reason: 'concurrency probe' });
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? earn() : spend())));

    const earned = responses.filter((res, i) => i % 2 === 0 && res.status === 201).length;
    const spent = responses.filter((res, i) => i % 2 === 1 && res.status === 201).length;
    const refused = responses.filter((res) => res.status !== 201);
    expect(earned).toBe(100);
    for (const res of refused) expect(res.body).toMatchObject({ status: 422, code: 'insufficient_points' });
    expect(spent + refused.length).toBe(100);

    const [account] = await runInTenant(dataSource, tenantId, (m) =>
      m.query(
        `SELECT a.balance::int AS balance,
                (SELECT sum(points) FROM point_transactions t WHERE t.account_id = a.id)::int AS ledger,
                (SELECT sum(remaining) FROM point_lots l WHERE l.account_id = a.id)::int AS lots
           FROM loyalty_accounts a`,
      ),
    );
    expect(account.balance).toBe(100 * 10 - spent * 15);
    expect(account.ledger).toBe(account.balance);
    expect(account.lots).toBe(account.balance);
    expect(account.balance).toBeGreaterThanOrEqual(0);
  });
});
