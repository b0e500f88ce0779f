import request from 'supertest';
import { upsertSuperAdmin } from '../../src/modules/accounts/super-admins';
import { mintToken } from '../../src/modules/accounts/opaque-token';
import { startTestApp, TestApp } from '../support/test-app';
import { Account, authFixtures, PASSWORD, sleep } from './auth-fixtures';

interface TokenRow {
  id: string;
  family_id: string;
  used_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  expires_at: Date;
}

describe('refresh tokens, logout and password change', () => {
  let t: TestApp;
  let f: ReturnType<typeof authFixtures>;

  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000' } });
    f = authFixtures(t);
  });
  afterAll(async () => t?.close());

  const tokensOf = (who: Account) =>
    f.inTenant<TokenRow[]>(
      who.tenant.id,
      `SELECT id, family_id, used_at, revoked_at, revoked_reason, expires_at FROM refresh_tokens
        WHERE user_id = $1 ORDER BY created_at`,
      [who.userId],
    );

  const logout = (accessToken: string, refreshToken: string) =>
    request(t.server)
      .post('/api/auth/logout')
      .set('authorization', `Bearer ${accessToken}`)
      .send({ refresh_token: refreshToken });

  it('signs in with a token pair, and a refresh gives a new pair in the same family', async () => {
    const who = await f.account('customer');
    const first = await f.signIn(who);
    expect(first).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(first.refresh_token).toMatch(/^rt_/);

    const res = await f.refresh(first.refresh_token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^rt_/),
      token_type: 'Bearer',
      expires_in: 900,
    });
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect((await f.me(res.body.access_token)).body).toMatchObject({ id: who.userId, role: 'customer' });

    const rows = await tokensOf(who);
    expect(rows).toHaveLength(2);
    expect(rows[0].used_at).not.toBeNull();
    expect(rows[1]).toMatchObject({ family_id: rows[0].family_id, used_at: null, revoked_at: null });
    // Only hashes are stored.
    const stored = await f.inTenant<Array<{ token_hash: string }>>(
      who.tenant.id,
      `SELECT token_hash FROM refresh_tokens`,
    );
    expect(JSON.stringify(stored)).not.toContain(first.refresh_token.split('.')[2]);
  });

  it('revokes the whole family when a spent token is presented again', async () => {
    const who = await f.account('staff');
    const first = await f.signIn(who);
    const second = (await f.refresh(first.refresh_token)).body;
    const other = await f.signIn(who);

    const replay = await f.refresh(first.refresh_token);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_token_reused');

    // The successor the thief (or the victim) holds is dead too.
    const successor = await f.refresh(second.refresh_token);
    expect(successor.status).toBe(401);
    expect(successor.body.code).toBe('refresh_token_revoked');

    const rows = await tokensOf(who);
    const family = rows.filter((row) => row.family_id === rows[0].family_id);
    expect(family.map((row) => row.revoked_reason)).toEqual(['reuse_detected', 'reuse_detected']);
    const audit = await f.inTenant<Array<{ actor_type: string; target_id: string }>>(
      who.tenant.id,
      `SELECT actor_type, target_id FROM audit_log WHERE action = 'auth.refresh_token_reused'`,
    );
    expect(audit).toEqual([{ actor_type: 'anonymous', target_id: who.userId }]);
    // Another sign-in of the same person is a different family and lives on.
    expect((await f.refresh(other.refresh_token)).status).toBe(200);
  });

  it('lets exactly one of several concurrent refreshes of one token succeed', async () => {
    const who = await f.account('customer');
    const { refresh_token } = await f.signIn(who);
    const answers = await Promise.all(Array.from({ length: 5 }, () => f.refresh(refresh_token)));
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401]);
    // The first loser presents a spent token (reuse: the family dies); later ones find it revoked.
    const codes = answers.filter((answer) => answer.status === 401).map((res) => res.body.code as string);
    expect(codes).toContain('refresh_token_reused');
    expect(new Set(codes)).toEqual(new Set(codes.filter((code) => /^refresh_token_(reused|revoked)$/.test(code))));
    const rows = await tokensOf(who);
    // The one spent token and one successor: no second successor was ever issued.
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.revoked_reason === 'reuse_detected')).toBe(true);
  });

  it('refuses malformed, unknown and wrongly signed tokens, and changes nothing', async () => {
    const who = await f.account('customer');
    const { refresh_token } = await f.signIn(who);
    const [prefixAndScope, id] = refresh_token.split('.');
    const forged = `${prefixAndScope}.${id}.${'A'.repeat(43)}`;
    for (const token of ['nonsense', refresh_token.slice(0, -1), mintToken('rt', who.tenant.id).token, forged]) {
      const res = await f.refresh(token);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('refresh_token_invalid');
    }
    const missing = await request(t.server).post('/api/auth/refresh').send({});
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((error: { field: string }) => error.field)).toContain('refresh_token');

    const [row] = await tokensOf(who);
    expect(row).toMatchObject({ used_at: null, revoked_at: null });
    expect((await f.refresh(refresh_token)).status).toBe(200);
  });

  it('refuses an expired token without spending or revoking anything', async () => {
    const who = await f.account('customer');
    const { refresh_token } = await f.signIn(who);
    await f.inTenant(who.tenant.id, `UPDATE refresh_tokens SET expires_at = now() - interval '1 second'`);
    const res = await f.refresh(refresh_token);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('refresh_token_expired');
    const [row] = await tokensOf(who);
    expect(row).toMatchObject({ used_at: null, revoked_at: null });
  });

  it('refuses a disabled account (401) and a suspended tenant (403), leaving the token usable later', async () => {
    const who = await f.account('admin');
    const { refresh_token } = await f.signIn(who);

    await f.inTenant(who.tenant.id, `UPDATE users SET status = 'disabled' WHERE id = $1`, [who.userId]);
    const disabled = await f.refresh(refresh_token);
    expect(disabled.status).toBe(401);
    expect(disabled.body.code).toBe('account_inactive');
    await f.inTenant(who.tenant.id, `UPDATE users SET status = 'active' WHERE id = $1`, [who.userId]);

    await f.asPlatform(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [who.tenant.id]);
    const suspended = await f.refresh(refresh_token);
    expect(suspended.status).toBe(403);
    expect(suspended.body.code).toBe('tenant_suspended');
    await f.asPlatform(`UPDATE tenants SET status = 'active' WHERE id = $1`, [who.tenant.id]);

    const [row] = await tokensOf(who);
    expect(row).toMatchObject({ used_at: null, revoked_at: null });
    expect((await f.refresh(refresh_token)).status).toBe(200);
  });

  it("gives refresh tokens the tenant's configured lifetime", async () => {
    const tenant = await f.make.tenant();
    await f.setSecurity(tenant.id, { refresh_token_ttl_days: 2 });
    const who = await f.account('customer', tenant);
    const { refresh_token } = await f.signIn(who);
    const [row] = await tokensOf(who);
    const days = (row.expires_at.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(1.99);
    expect(days).toBeLessThanOrEqual(2);
    await f.setSecurity(tenant.id, { refresh_token_ttl_days: 30 });
    await f.refresh(refresh_token);
    const successor = (await tokensOf(who))[1];
    expect((successor.expires_at.getTime() - Date.now()) / 86_400_000).toBeGreaterThan(29.99);
  });

  it('refreshes super admins from the platform table with the configured lifetime', async () => {
    await upsertSuperAdmin(f.dataSource, 'root-refresh@platform.test', PASSWORD);
    const login = await f.login({ email: 'root-refresh@platform.test', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.refresh_token).toMatch(/^rt_platform\./);
    const res = await f.refresh(login.body.refresh_token);
    expect(res.status).toBe(200);
    expect((await f.me(res.body.access_token)).body).toMatchObject({ role: 'super_admin', tenant: null });
    const rows = await f.asPlatform<TokenRow[]>(
      `SELECT r.expires_at, r.used_at FROM platform_refresh_tokens r JOIN platform_admins a ON a.id = r.admin_id
        WHERE a.email = 'root-refresh@platform.test' ORDER BY r.created_at`,
    );
    expect(rows).toHaveLength(2);
    expect((rows[1].expires_at.getTime() - Date.now()) / 86_400_000).toBeGreaterThan(6.99);
    expect((await f.refresh(login.body.refresh_token)).body.code).toBe('refresh_token_reused');
  });

  describe('logout', () => {
    it("revokes the caller's sign-in and only that one", async () => {
      const who = await f.account('customer');
      const session = await f.signIn(who);
      const other = await f.signIn(who);
      const res = await logout(session.access_token, session.refresh_token);
      expect(res.status).toBe(204);
      const refused = await f.refresh(session.refresh_token);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('refresh_token_revoked');
      const rows = await tokensOf(who);
      expect(rows.map((row) => row.revoked_reason)).toEqual(['logout', null]);
      expect((await f.refresh(other.refresh_token)).status).toBe(200);
    });

    it("answers 204 for someone else's token but leaves it alone", async () => {
      const victim = await f.account('customer');
      const victimSession = await f.signIn(victim);
      const sameTenant = await f.account('staff', victim.tenant);
      const attacker = await f.signIn(sameTenant);
      const elsewhere = await f.signIn(await f.account('owner'));

      expect((await logout(attacker.access_token, victimSession.refresh_token)).status).toBe(204);
      expect((await logout(elsewhere.access_token, victimSession.refresh_token)).status).toBe(204);
      expect((await logout(attacker.access_token, 'garbage')).status).toBe(204);

      const [row] = await tokensOf(victim);
      expect(row).toMatchObject({ used_at: null, revoked_at: null });
      expect((await f.refresh(victimSession.refresh_token)).status).toBe(200);
    });

    it('needs a signed-in caller', async () => {
      const who = await f.account('customer');
      const session = await f.signIn(who);
      const res = await request(t.server).post('/api/auth/logout').send({ refresh_token: session.refresh_token });
      expect(res.status).toBe(401);
      expect((await f.refresh(session.refresh_token)).status).toBe(200);
    });
  });

  describe('password change', () => {
    const change = (accessToken: string, body: object) =>
      request(t.server).post('/api/auth/password/change').set('authorization', `Bearer ${accessToken}`).send(body);

    it('signs every session out and records the change', async () => {
      const who = await f.account('staff');
      const one = await f.signIn(who);
      const two = await f.signIn(who);
      // Access tokens carry whole seconds: the change must come in a later second to outdate them.
      await sleep(1100);
      const res = await change(one.access_token, { current_password: PASSWORD, new_password: 'a brand new secret' });
      expect(res.status).toBe(204);

      for (const session of [one, two]) {
        const refused = await f.refresh(session.refresh_token);
        expect(refused.status).toBe(401);
        expect(refused.body.code).toBe('refresh_token_revoked');
        expect((await f.me(session.access_token)).status).toBe(401);
      }
      expect((await tokensOf(who)).map((row) => row.revoked_reason)).toEqual(['password_changed', 'password_changed']);
      const [user] = await f.inTenant<Array<{ password_changed_at: Date | null }>>(
        who.tenant.id,
        `SELECT password_changed_at FROM users WHERE id = $1`,
        [who.userId],
      );
      expect(user.password_changed_at).not.toBeNull();
      const audit = await f.inTenant<Array<{ actor_id: string }>>(
        who.tenant.id,
        `SELECT actor_id FROM audit_log WHERE action = 'auth.password_changed'`,
      );
      expect(audit).toEqual([{ actor_id: who.userId }]);

      const old = await f.login({ tenant: who.tenant.slug, email: who.email, password: PASSWORD });
      expect(old.status).toBe(401);
      const fresh = await f.login({ tenant: who.tenant.slug, email: who.email, password: 'a brand new secret' });
      expect(fresh.status).toBe(200);
      expect((await f.me(fresh.body.access_token)).status).toBe(200);
    });

    it('refuses a wrong current password or a weak new one and changes nothing', async () => {
      const who = await f.account('customer');
      const session = await f.signIn(who);
      const wrong = await change(session.access_token, {
        current_password: 'not my password',
        new_password: 'x'.repeat(12),
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.errors).toEqual([{ field: 'current_password', message: 'is wrong' }]);
      const weak = await change(session.access_token, { current_password: PASSWORD, new_password: 'short' });
      expect(weak.status).toBe(400);
      expect(weak.body.errors).toEqual([{ field: 'new_password', message: expect.any(String) }]);

      expect((await f.refresh(session.refresh_token)).status).toBe(200);
      await f.signIn(who);
    });

    it('throttles guessing the current password with a stolen session', async () => {
      const who = await f.account('customer');
      const session = await f.signIn(who);
      for (let i = 0; i < 5; i++) {
        const res = await change(session.access_token, {
          current_password: `guess number ${i}`,
          new_password: 'x'.repeat(12),
        });
        expect(res.status).toBe(400);
      }
      const res = await change(session.access_token, { current_password: PASSWORD, new_password: 'y'.repeat(12) });
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('too_many_attempts');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      await f.signIn(who);
    });
  });
});
