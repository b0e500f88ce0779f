import { upsertSuperAdmin } from '../../src/modules/accounts/super-admins';
import { startTestApp, TestApp } from '../support/test-app';
import { Account, authFixtures, PASSWORD, sleep } from './auth-fixtures';

const WINDOW_SECONDS = 2;

describe('sign-in protection', () => {
  let t: TestApp;
  let f: ReturnType<typeof authFixtures>;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        // Each test signs in from IP addresses of its own (X-Forwarded-For), so counters never mix.
        TRUST_PROXY: 'true',
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
        LOGIN_MAX_FAILURES_PER_IP: '8',
        LOGIN_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
      },
    });
    f = authFixtures(t);
  });
  afterAll(async () => t?.close());

  let addresses = 0;
  /** A fresh client address for each call. */
  const ip = () => {
    addresses += 1;
    return `198.51.${Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
  };
  const attempt = (who: Account, password: string, from: string) =>
    f.login({ tenant: who.tenant.slug, email: who.email, password }, from);

  it('refuses an account after repeated failures, even with the right password, until the window passes', async () => {
    const who = await f.account('admin');
    const from = ip();
    for (let i = 0; i < 3; i++) expect((await attempt(who, `wrong password ${i}`, from)).status).toBe(401);

    const throttled = await f
      .login({ tenant: who.tenant.slug, email: who.email.toUpperCase(), password: PASSWORD }, ip())
      .set('x-request-id', 'throttle-test-1');
    expect(throttled.status).toBe(429);
    expect(throttled.body.code).toBe('too_many_login_attempts');
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);

    const audit = await f.inTenant<
      Array<{ action: string; actor_type: string; ip: string; request_id: string; after: Record<string, unknown> }>
    >(who.tenant.id, `SELECT action, actor_type, ip, request_id, after FROM audit_log ORDER BY occurred_at`);
    expect(audit.map((row) => row.action)).toEqual([
      'auth.login_failed',
      'auth.login_failed',
      'auth.login_failed',
      'auth.login_throttled',
    ]);
    expect(audit[0]).toMatchObject({
      actor_type: 'anonymous',
      ip: from,
      after: { email: who.email, reason: 'wrong_password' },
    });
    expect(audit[3]).toMatchObject({ request_id: 'throttle-test-1' });
    expect(JSON.stringify(audit)).not.toMatch(/wrong password|correct horse/);

    await sleep(WINDOW_SECONDS * 1000 + 200);
    expect((await attempt(who, PASSWORD, from)).status).toBe(200);
  });

  it('starts counting again after a successful sign-in', async () => {
    const who = await f.account('customer');
    const from = ip();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) expect((await attempt(who, 'wrong password!', from)).status).toBe(401);
      expect((await attempt(who, PASSWORD, from)).status).toBe(200);
    }
  });

  it('refuses an IP address after repeated failures on any accounts', async () => {
    const from = ip();
    const tenant = await f.make.tenant();
    for (let i = 0; i < 8; i++) {
      const res = await f.login({ tenant: tenant.slug, email: `guess-${i}@example.com`, password: PASSWORD }, from);
      expect(res.status).toBe(401);
    }
    const who = await f.account('customer', tenant);
    const res = await attempt(who, PASSWORD, from);
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('too_many_login_attempts');
    // The same account from elsewhere is fine: the account itself has no failures.
    expect((await attempt(who, PASSWORD, ip())).status).toBe(200);
  });

  it('lets no more than the limit of parallel guesses through', async () => {
    const who = await f.account('owner');
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(who, `guess ${i}`, ip())));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });

  it('protects super admins too', async () => {
    const email = `root-${f.unique()}@platform.test`;
    await upsertSuperAdmin(f.dataSource, email, PASSWORD);
    for (let i = 0; i < 3; i++) expect((await f.login({ email, password: 'wrong password' }, ip())).status).toBe(401);
    expect((await f.login({ email, password: PASSWORD }, ip())).status).toBe(429);
  });

  it('records the time of the last successful sign-in', async () => {
    const who = await f.account('staff');
    const before = Date.now();
    await f.login({ tenant: who.tenant.slug, email: who.email, password: PASSWORD }, ip());
    const [row] = await f.inTenant<Array<{ last_login_at: Date | null }>>(
      who.tenant.id,
      `SELECT last_login_at FROM users WHERE id = $1`,
      [who.userId],
    );
    expect(row.last_login_at!.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('takes about as long for an unknown e-mail as for a wrong password', async () => {
    const tenant = await f.make.tenant();
    const accounts = await Promise.all(Array.from({ length: 15 }, () => f.account('customer', tenant)));
    const timed = async (email: string) => {
      const started = process.hrtime.bigint();
      const res = await f.login({ tenant: tenant.slug, email, password: 'not the password' }, ip());
      expect(res.status).toBe(401);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    // Interleaved, so that drift in the machine's load hits both alike.
    for (const who of accounts) {
      unknown.push(await timed(`nobody-${f.unique()}@example.com`));
      wrong.push(await timed(who.email));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const [a, b] = [median(unknown), median(wrong)];
    // Without the decoy hash an unknown e-mail answers in about 1 ms against ~50 ms for a wrong
    // password (a gap of ~98%); the bound is loose because the suite runs on busy machines.
    expect(Math.abs(a - b) / Math.max(a, b)).toBeLessThan(0.6);
  });
});
