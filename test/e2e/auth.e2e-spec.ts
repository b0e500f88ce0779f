import { sign } from 'jsonwebtoken';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant, runWithoutTenant } from '../../src/database/tenant-transaction';
import { upsertSuperAdmin } from '../../src/modules/accounts/super-admins';
import { factories } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';

describe('authentication', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let make: ReturnType<typeof factories>;

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    make = factories(dataSource);
  });
  afterAll(async () => t?.close());

  async function registeredCustomer() {
    const tenant = await make.tenant();
    const email = `ann-${Math.random().toString(36).slice(2)}@example.com`;
    const res = await request(t.server)
      .post('/api/auth/register')
      .send({ tenant: tenant.slug, email, password: PASSWORD, first_name: 'Ann', last_name: 'Lee' });
    expect(res.status).toBe(201);
    return { tenant, email, userId: res.body.id as string };
  }

  const login = (body: object) => request(t.server).post('/api/auth/login').send(body);

  it('registers a customer, logs in and reads the caller', async () => {
    const { tenant, email, userId } = await registeredCustomer();
    const res = await login({ tenant: tenant.slug, email: email.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const me = await request(t.server).get('/api/auth/user').set('authorization', `Bearer ${res.body.access_token}`);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: userId,
      email,
      first_name: 'Ann',
      last_name: 'Lee',
      role: 'customer',
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
    });
  });

  it('refuses a second account with the same e-mail in any case', async () => {
    const { tenant, email } = await registeredCustomer();
    const res = await request(t.server)
      .post('/api/auth/register')
      .send({ tenant: tenant.slug, email: email.toUpperCase(), password: PASSWORD, first_name: 'A', last_name: 'B' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('email_taken');
  });

  it('enforces the password policy with a field error and creates nothing', async () => {
    const tenant = await make.tenant();
    const email = 'short@example.com';
    for (const password of ['short', email]) {
      const res = await request(t.server)
        .post('/api/auth/register')
        .send({ tenant: tenant.slug, email, password, first_name: 'A', last_name: 'B' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'password', message: expect.any(String) }]);
    }
    const users = await runInTenant(dataSource, tenant.id, (m) => m.query(`SELECT 1 FROM users`));
    expect(users).toHaveLength(0);
  });

  it('answers a wrong password, an unknown e-mail and an unknown tenant alike', async () => {
    const { tenant, email } = await registeredCustomer();
    const answers = await Promise.all([
      login({ tenant: tenant.slug, email, password: 'wrong password!' }),
      login({ tenant: tenant.slug, email: 'nobody@example.com', password: PASSWORD }),
      login({ tenant: 'no-such-tenant', email, password: PASSWORD }),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('invalid_credentials');
      expect(res.body.detail).toBe(answers[0].body.detail);
    }
  });

  it('logs a super admin in without a tenant', async () => {
    await upsertSuperAdmin(dataSource, 'root@platform.test', PASSWORD);
    const res = await login({ email: 'root@platform.test', password: PASSWORD });
    expect(res.status).toBe(200);
    const me = await request(t.server).get('/api/auth/user').set('authorization', `Bearer ${res.body.access_token}`);
    expect(me.body).toMatchObject({ email: 'root@platform.test', role: 'super_admin', tenant: null });
  });

  describe('refuses bad tokens with 401', () => {
    let claims: { sub: string; tid: string; role: string; typ: string };
    let tenantB: string;

    beforeAll(async () => {
      const { tenant, email } = await registeredCustomer();
      const res = await login({ tenant: tenant.slug, email, password: PASSWORD });
      const payload = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString());
      claims = { sub: payload.sub, tid: payload.tid, role: payload.role, typ: payload.typ };
      tenantB = (await make.tenant()).id;
    });

    const me = (token: string) => request(t.server).get('/api/auth/user').set('authorization', `Bearer ${token}`);
    const secret = () => process.env.JWT_SECRET!;

    it.each([
      ['malformed', () => 'not.a.jwt'],
      ['alg none', () => sign(claims, '', { algorithm: 'none' })],
      ['signed with another key', () => sign(claims, 'x'.repeat(40), { algorithm: 'HS256' })],
      ['HS512 with our key', () => sign(claims, secret(), { algorithm: 'HS512' })],
      ['expired', () => sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, secret())],
      [
        'tampered role',
        () => {
          const [h, , s] = sign(claims, secret()).split('.');
          const body = Buffer.from(JSON.stringify({ ...claims, role: 'owner' })).toString('base64url');
          return `${h}.${body}.${s}`;
        },
      ],
      ['another tenant in a validly signed token', () => sign({ ...claims, tid: tenantB }, secret())],
    ])('%s', async (_name, token) => {
      const res = await me(token());
      expect(res.status).toBe(401);
      expect(res.body.code).toMatch(/^(invalid_token|token_expired)$/);
    });
  });

  it('refuses the tokens of a suspended tenant with 403 tenant_suspended, and of a deleted user', async () => {
    const { tenant, email, userId } = await registeredCustomer();
    const token = (await login({ tenant: tenant.slug, email, password: PASSWORD })).body.access_token;
    await runWithoutTenant(dataSource, (m) =>
      m.query(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [tenant.id]),
    );
    const suspended = await request(t.server).get('/api/auth/user').set('authorization', `Bearer ${token}`);
    expect(suspended.status).toBe(403);
    expect(suspended.body.code).toBe('tenant_suspended');

    await runWithoutTenant(dataSource, (m) =>
      m.query(`UPDATE tenants SET status = 'active' WHERE id = $1`, [tenant.id]),
    );
    await runInTenant(dataSource, tenant.id, (m) =>
      m.query(`UPDATE users SET status = 'deleted' WHERE id = $1`, [userId]),
    );
    const deleted = await request(t.server).get('/api/auth/user').set('authorization', `Bearer ${token}`);
    expect(deleted.status).toBe(401);
  });
});
