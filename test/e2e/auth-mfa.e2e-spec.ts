import request from 'supertest';
import { sign } from 'jsonwebtoken';
import { upsertSuperAdmin } from '../../src/modules/accounts/super-admins';
import { totpCode } from '../../src/modules/accounts/totp';
import { startTestApp, TestApp } from '../support/test-app';
import { Account, authFixtures, PASSWORD } from './auth-fixtures';

/** The code of the next 30-second step: accepted now, and later than any code used so far. */
const nextCode = (secret: string) => totpCode(secret, Date.now() + 30_000);
const currentCode = (secret: string) => totpCode(secret, Date.now());
/** A well-formed code that is not the current one. */
const wrongCode = (secret: string) => {
  const valid = new Set([-30_000, 0, 30_000].map((offset) => totpCode(secret, Date.now() + offset)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
};

describe('multi-factor authentication (TOTP)', () => {
  let t: TestApp;
  let f: ReturnType<typeof authFixtures>;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000', LOGIN_MAX_FAILURES_PER_IP: '1000' } });
    f = authFixtures(t);
  });
  afterAll(async () => t?.close());

  const post = (path: string, accessToken: string | null, body: object = {}) => {
    const call = request(t.server).post(`/api/auth/mfa/${path}`);
    if (accessToken) void call.set('authorization', `Bearer ${accessToken}`);
    return call.send(body);
  };

  const mfaColumns = async (who: Account) =>
    (
      await f.inTenant<Array<{ mfa_secret: string | null; mfa_enabled_at: Date | null }>>(
        who.tenant.id,
        `SELECT mfa_secret, mfa_enabled_at FROM users WHERE id = $1`,
        [who.userId],
      )
    )[0];

  /** A staff member (or above) with MFA enrolled with the current code; returns the secret. */
  async function enrolled(role: 'staff' | 'admin' | 'owner' = 'staff') {
    const who = await f.account(role);
    const { access_token } = await f.signIn(who);
    const setup = await post('setup', access_token);
    expect(setup.status).toBe(200);
    const secret = setup.body.secret as string;
    expect((await post('enable', access_token, { code: currentCode(secret) })).status).toBe(204);
    return { who, secret, access_token };
  }

  it('enrols staff: a pending secret, stored encrypted, then confirmed with a code', async () => {
    const who = await f.account('staff');
    const { access_token } = await f.signIn(who);
    const setup = await post('setup', access_token);
    expect(setup.status).toBe(200);
    expect(setup.body).toEqual({
      otpauth_uri: expect.stringMatching(/^otpauth:\/\/totp\//),
      qr_png: expect.stringMatching(/^data:image\/png;base64,[A-Za-z0-9+/=]{100,}$/),
      secret: expect.stringMatching(/^[A-Z2-7]{16,}$/),
    });
    const secret = setup.body.secret as string;
    expect(new URL(setup.body.otpauth_uri).searchParams.get('secret')).toBe(secret);

    const pending = await mfaColumns(who);
    expect(pending.mfa_enabled_at).toBeNull();
    expect(pending.mfa_secret).not.toBeNull();
    expect(pending.mfa_secret).not.toContain(secret);
    // Pending is not enabled: signing in still needs no code.
    await f.signIn(who);

    const wrong = await post('enable', access_token, { code: wrongCode(secret) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('invalid_totp');
    expect((await mfaColumns(who)).mfa_enabled_at).toBeNull();

    expect((await post('enable', access_token, { code: currentCode(secret) })).status).toBe(204);
    expect((await mfaColumns(who)).mfa_enabled_at).not.toBeNull();
    const audit = await f.inTenant<Array<{ action: string }>>(
      who.tenant.id,
      `SELECT action FROM audit_log WHERE target_id = $1 ORDER BY occurred_at`,
      [who.userId],
    );
    expect(audit.map((row) => row.action)).toEqual(['auth.mfa_setup', 'auth.mfa_enabled']);

    const again = await post('setup', access_token);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('mfa_already_enabled');
  });

  it('then requires the code at sign-in, only after the password was verified', async () => {
    const { who, secret } = await enrolled();
    const body = { tenant: who.tenant.slug, email: who.email, password: PASSWORD };

    const withoutCode = await f.login(body);
    expect(withoutCode.status).toBe(401);
    expect(withoutCode.body.code).toBe('mfa_required');

    const wrongPassword = await f.login({ ...body, password: 'not the password' });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.code).toBe('invalid_credentials');
    const wrongPasswordWithCode = await f.login({ ...body, password: 'not the password', totp: nextCode(secret) });
    expect(wrongPasswordWithCode.body.code).toBe('invalid_credentials');

    const wrong = await f.login({ ...body, totp: wrongCode(secret) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_totp');

    const code = nextCode(secret);
    const ok = await f.login({ ...body, totp: code });
    expect(ok.status).toBe(200);
    expect((await f.me(ok.body.access_token)).status).toBe(200);

    // The same code again, within its window: refused.
    const replay = await f.login({ ...body, totp: code });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('invalid_totp');
  });

  it('accepts one of two concurrent sign-ins with the same code', async () => {
    const { who, secret } = await enrolled();
    const body = { tenant: who.tenant.slug, email: who.email, password: PASSWORD, totp: nextCode(secret) };
    const answers = await Promise.all([f.login(body), f.login(body)]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 401]);
  });

  it('removes MFA with a valid code only', async () => {
    const { who, secret, access_token } = await enrolled('admin');
    const wrong = await post('disable', access_token, { code: wrongCode(secret) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('invalid_totp');
    expect((await mfaColumns(who)).mfa_enabled_at).not.toBeNull();

    expect((await post('disable', access_token, { code: nextCode(secret) })).status).toBe(204);
    expect(await mfaColumns(who)).toEqual({ mfa_secret: null, mfa_enabled_at: null });
    await f.signIn(who);

    const notEnabled = await post('disable', access_token, { code: nextCode(secret) });
    expect(notEnabled.status).toBe(409);
    expect(notEnabled.body.code).toBe('mfa_not_enabled');
  });

  it('refuses enable before setup', async () => {
    const who = await f.account('owner');
    const { access_token } = await f.signIn(who);
    const res = await post('enable', access_token, { code: '123456' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('mfa_not_set_up');
  });

  it('throttles guessing codes with a stolen session', async () => {
    const who = await f.account('staff');
    const { access_token } = await f.signIn(who);
    const secret = (await post('setup', access_token)).body.secret as string;
    for (let i = 0; i < 5; i++) {
      expect((await post('enable', access_token, { code: wrongCode(secret) })).status).toBe(400);
    }
    const res = await post('enable', access_token, { code: currentCode(secret) });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('too_many_attempts');
    expect((await mfaColumns(who)).mfa_enabled_at).toBeNull();
  });

  it('is for staff and above: customers are refused and nothing is stored', async () => {
    const who = await f.account('customer');
    const { access_token } = await f.signIn(who);
    for (const path of ['setup', 'enable', 'disable']) {
      const res = await post(path, access_token, path === 'setup' ? {} : { code: '123456' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('insufficient_role');
    }
    expect((await post('setup', null)).status).toBe(401);
    expect(await mfaColumns(who)).toEqual({ mfa_secret: null, mfa_enabled_at: null });
  });

  it('works for super admins', async () => {
    const email = `root-${f.unique()}@platform.test`;
    await upsertSuperAdmin(f.dataSource, email, PASSWORD);
    const { access_token } = (await f.login({ email, password: PASSWORD })).body;
    const secret = (await post('setup', access_token)).body.secret as string;
    expect((await post('enable', access_token, { code: currentCode(secret) })).status).toBe(204);
    expect((await f.login({ email, password: PASSWORD })).body.code).toBe('mfa_required');
    expect((await f.login({ email, password: PASSWORD, totp: nextCode(secret) })).status).toBe(200);
  });

  describe('when the tenant requires MFA for admins', () => {
    async function requiringTenant() {
      const tenant = await f.make.tenant();
      await f.setSecurity(tenant.id, { mfa_required_for_admins: true });
      return tenant;
    }

    async function enrollmentToken(who: Account) {
      const res = await f.login({ tenant: who.tenant.slug, email: who.email, password: PASSWORD });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('mfa_enrollment_required');
      expect(res.body.enrollment_token_expires_in).toBe(600);
      return res.body.enrollment_token as string;
    }

    it('sends an admin without MFA to enrolment, after the password only', async () => {
      const tenant = await requiringTenant();
      const admin = await f.account('admin', tenant);
      const wrong = await f.login({ tenant: tenant.slug, email: admin.email, password: 'not the password' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('invalid_credentials');
      expect(wrong.body.enrollment_token).toBeUndefined();

      const token = await enrollmentToken(admin);
      const setup = await post('setup', null, { enrollment_token: token });
      expect(setup.status).toBe(200);
      const secret = setup.body.secret as string;
      expect((await post('enable', null, { enrollment_token: token, code: currentCode(secret) })).status).toBe(204);

      const signedIn = await f.login({
        tenant: tenant.slug,
        email: admin.email,
        password: PASSWORD,
        totp: nextCode(secret),
      });
      expect(signedIn.status).toBe(200);
      // Once enrolled, the enrolment token cannot start over with a new secret.
      const reset = await post('setup', null, { enrollment_token: token });
      expect(reset.status).toBe(409);
    });

    it('does not apply to staff and customers', async () => {
      const tenant = await requiringTenant();
      await f.signIn(await f.account('staff', tenant));
      await f.signIn(await f.account('customer', tenant));
    });

    it('accepts the enrolment token nowhere but setup and enable', async () => {
      const tenant = await requiringTenant();
      const owner = await f.account('owner', tenant);
      const token = await enrollmentToken(owner);
      const asBearer = [
        await f.me(token),
        await post('setup', token),
        await post('enable', token, { code: '123456' }),
        await post('disable', token, { code: '123456' }),
        await request(t.server)
          .post('/api/auth/logout')
          .set('authorization', `Bearer ${token}`)
          .send({ refresh_token: 'x' }),
      ];
      for (const res of asBearer) {
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('invalid_token');
      }
      expect(await mfaColumns(owner)).toEqual({ mfa_secret: null, mfa_enabled_at: null });
    });

    it('refuses forged, expired and access tokens in place of an enrolment token', async () => {
      const tenant = await requiringTenant();
      const owner = await f.account('owner', tenant);
      const token = await enrollmentToken(owner);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
      const staff = await f.signIn(await f.account('staff', tenant));
      for (const forged of [
        sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, process.env.JWT_SECRET!),
        sign(claims, 'x'.repeat(40)),
        staff.access_token,
        'garbage',
      ]) {
        const res = await post('setup', null, { enrollment_token: forged });
        expect(res.status).toBe(401);
      }
      expect(await mfaColumns(owner)).toEqual({ mfa_secret: null, mfa_enabled_at: null });
    });
  });
});
