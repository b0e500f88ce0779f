import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant } from '../../src/database/tenant-transaction';
import { hashPassword } from '../../src/modules/accounts/passwords';
import { PLANS } from '../../src/modules/tenants/plans';
import { factories } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';

describe('rate limits', () => {
  let t: TestApp;
  let make: ReturnType<typeof factories>;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_ANONYMOUS_PER_MINUTE: '20' } });
    dataSource = t.app.get(DataSource);
    make = factories(dataSource);
  });
  afterAll(async () => t?.close());

  async function customerToken(tenantSlug: string, tenantId: string): Promise<string> {
    const email = `c-${Math.random().toString(36).slice(2)}@example.com`;
    const hash = await hashPassword(PASSWORD);
    await runInTenant(dataSource, tenantId, (m) =>
      m.query(`INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, $2, $3, 'customer')`, [
        tenantId,
        email,
        hash,
      ]),
    );
    const res = await request(t.server).post('/api/auth/login').send({ tenant: tenantSlug, email, password: PASSWORD });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  /** Sends `count` requests, `width` at a time, and returns their statuses. */
  async function burst(count: number, send: () => request.Test, width = 25): Promise<request.Response[]> {
    const responses: request.Response[] = [];
    for (let sent = 0; sent < count; sent += width) {
      responses.push(...(await Promise.all(Array.from({ length: Math.min(width, count - sent) }, send))));
    }
    return responses;
  }

  it("limits a credential to its tenant plan's requests per minute, with a 429 problem and Retry-After", async () => {
    const tenant = await make.tenant({ plan: 'starter' });
    const token = await customerToken(tenant.slug, tenant.id);
    const limit = PLANS.starter.api_requests_per_minute;
    const responses = await burst(limit + 5, () =>
      request(t.server).get('/api/auth/user').set('authorization', `Bearer ${token}`),
    );
    const ok = responses.filter((res) => res.status === 200);
    const limited = responses.filter((res) => res.status === 429);
    expect(ok.length).toBe(limit);
    expect(limited.length).toBe(5);
    expect(limited[0].headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(limited[0].headers['retry-after'])).toBeGreaterThan(0);
    expect(limited[0].headers['content-type']).toMatch(/application\/problem\+json/);
    expect(limited[0].body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(ok[0].headers['x-ratelimit-limit']).toBe(String(limit));

    // Another customer of the same tenant has a budget of their own.
    const other = await customerToken(tenant.slug, tenant.id);
    const res = await request(t.server).get('/api/auth/user').set('authorization', `Bearer ${other}`);
    expect(res.status).toBe(200);
  });

  it('limits anonymous callers per IP and never limits health probes', async () => {
    const responses = await burst(25, () => request(t.server).post('/api/auth/login').send({ email: 'x' }));
    expect(responses.filter((res) => res.status === 429).length).toBeGreaterThanOrEqual(5);
    const probes = await burst(40, () => request(t.server).get('/health/live'));
    expect(probes.every((res) => res.status === 200)).toBe(true);
  });
});
