import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant } from '../../src/database/tenant-transaction';
import { PLANS } from '../../src/modules/tenants/plans';
import { factories } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';

describe('customer registration', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let make: ReturnType<typeof factories>;

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    make = factories(dataSource);
  });
  afterAll(async () => t?.close());

  const register = (tenant: string, email: string) =>
    request(t.server)
      .post('/api/auth/register')
      .send({ tenant, email, password: PASSWORD, first_name: 'Ann', last_name: 'Lee' });

  it('creates the login and the loyalty profile together and pays the signup rules', async () => {
    const tenant = await make.tenant();
    await runInTenant(dataSource, tenant.id, async (m) => {
      const [program] = await m.query(
        `INSERT INTO programs (tenant_id, name, is_default) VALUES ($1, 'P', true) RETURNING id`,
        [tenant.id],
      );
      await m.query(
        `INSERT INTO rules (tenant_id, program_id, name, rule_type, effect) VALUES ($1, $2, 'Welcome', 'signup', '{"type":"fixed","points":100}')`,
        [tenant.id, program.id],
      );
    });
    const res = await register(tenant.slug, 'ann@example.com');
    expect(res.status).toBe(201);

    const login = await request(t.server)
      .post('/api/auth/login')
      .send({ tenant: tenant.slug, email: 'ann@example.com', password: PASSWORD });
    const balance = await request(t.server)
      .get('/api/points/balance')
      .set('authorization', `Bearer ${login.body.access_token}`);
    expect(balance.status).toBe(200);
    expect(balance.body.balance).toBe(100);
    const [customer] = await runInTenant(dataSource, tenant.id, (m) => m.query(`SELECT id, email FROM customers`));
    expect(customer).toEqual({ id: res.body.id, email: 'ann@example.com' });
  });

  it("refuses a sign-up beyond the plan's customer quota with 422 and creates nothing", async () => {
    const tenant = await make.tenant({ plan: 'starter' });
    const limit = PLANS.starter.customers;
    await runInTenant(dataSource, tenant.id, (m) =>
      m.query(`INSERT INTO customers (tenant_id) SELECT $1 FROM generate_series(1, $2)`, [tenant.id, limit]),
    );
    const res = await register(tenant.slug, 'one-too-many@example.com');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'quota_exceeded', quota: 'customers', limit });
    const users = await runInTenant(dataSource, tenant.id, (m) => m.query(`SELECT 1 FROM users`));
    expect(users).toEqual([]);
  });
});
