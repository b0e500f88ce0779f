import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { mintToken } from '../../src/modules/accounts/opaque-token';
import { upsertSuperAdmin } from '../../src/modules/accounts/super-admins';
import { startTestApp, TestApp } from '../support/test-app';
import { Account, authFixtures, mailTo, PASSWORD, sentMail } from './auth-fixtures';

const OUTBOX = join(tmpdir(), `beacon-mail-${randomBytes(6).toString('hex')}.jsonl`);
const RESET_URL = 'https://app.example.com/reset-password';
const NEW_PASSWORD = 'a completely new secret';

describe('password reset', () => {
  let t: TestApp;
  let f: ReturnType<typeof authFixtures>;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        MAIL_TRANSPORT: 'sink',
        MAIL_SINK_PATH: OUTBOX,
        PASSWORD_RESET_URL: RESET_URL,
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000',
      },
    });
    f = authFixtures(t);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(OUTBOX, { force: true });
  });

  const requestReset = (body: object) => request(t.server).post('/api/auth/password/reset').send(body);
  const confirm = (body: object) => request(t.server).post('/api/auth/password/reset/confirm').send(body);

  /** Asks for a reset of `who` and returns the token from the e-mail's link. */
  async function resetToken(who: Account, nth = 1): Promise<string> {
    const res = await requestReset({ tenant: who.tenant.slug, email: who.email.toUpperCase() });
    expect(res.status).toBe(202);
    const mail = await mailTo(OUTBOX, who.email, nth);
    const link = mail.text.match(/https:\/\/\S+/)![0];
    expect(link.startsWith(`${RESET_URL}?token=`)).toBe(true);
    return new URL(link).searchParams.get('token')!;
  }

  const passwordOf = async (who: Account) =>
    (
      await f.inTenant<Array<{ password_hash: string; password_changed_at: Date | null }>>(
        who.tenant.id,
        `SELECT password_hash, password_changed_at FROM users WHERE id = $1`,
        [who.userId],
      )
    )[0];

  it('e-mails a link with a single-use token, stored only as a hash, valid for an hour', async () => {
    const who = await f.account('customer');
    const token = await resetToken(who);
    expect(token).toMatch(/^prt_/);
    const rows = await f.inTenant<Array<{ token_hash: string; expires_at: Date; used_at: Date | null }>>(
      who.tenant.id,
      `SELECT token_hash, expires_at, used_at FROM password_reset_tokens WHERE user_id = $1`,
      [who.userId],
    );
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token.split('.')[2]);
    const minutes = (rows[0].expires_at.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(59);
    expect(minutes).toBeLessThanOrEqual(60);
    const audit = await f.inTenant<Array<{ after: unknown; target_id: string }>>(
      who.tenant.id,
      `SELECT after, target_id FROM audit_log WHERE action = 'auth.password_reset_requested'`,
    );
    expect(audit).toEqual([{ after: null, target_id: who.userId }]);
  });

  it('answers 202 for unknown accounts and tenants too, in about the same time, and sends nothing', async () => {
    const who = await f.account('customer');
    const timed = async (body: object) => {
      const started = Date.now();
      const res = await requestReset(body);
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
      return Date.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await timed({ tenant: who.tenant.slug, email: who.email }));
      unknown.push(await timed({ tenant: who.tenant.slug, email: `nobody-${i}@example.com` }));
      unknown.push(await timed({ tenant: 'no-such-tenant', email: who.email }));
    }
    for (const ms of [...known, ...unknown]) expect(ms).toBeGreaterThanOrEqual(290);
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(100);

    await mailTo(OUTBOX, who.email, 3);
    const recipients = sentMail(OUTBOX).map((mail) => mail.to);
    expect(recipients.filter((to) => to.startsWith('nobody-'))).toEqual([]);
  });

  it('sets the new password, signs every session out and records the change', async () => {
    const who = await f.account('staff');
    const session = await f.signIn(who);
    const token = await resetToken(who);
    const res = await confirm({ token, new_password: NEW_PASSWORD });
    expect(res.status).toBe(204);

    expect((await passwordOf(who)).password_changed_at).not.toBeNull();
    const refused = await f.refresh(session.refresh_token);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('refresh_token_revoked');
    expect((await f.login({ tenant: who.tenant.slug, email: who.email, password: PASSWORD })).status).toBe(401);
    expect((await f.login({ tenant: who.tenant.slug, email: who.email, password: NEW_PASSWORD })).status).toBe(200);
    const audit = await f.inTenant<Array<{ actor_id: string; after: unknown }>>(
      who.tenant.id,
      `SELECT actor_id, after FROM audit_log WHERE action = 'auth.password_reset'`,
    );
    expect(audit).toEqual([{ actor_id: who.userId, after: null }]);
  });

  it('refuses a second use of a token, and any other outstanding link of the account, with reset_token_invalid', async () => {
    const who = await f.account('customer');
    const first = await resetToken(who, 1);
    const second = await resetToken(who, 2);
    expect((await confirm({ token: second, new_password: NEW_PASSWORD })).status).toBe(204);
    const before = await passwordOf(who);
    for (const token of [second, first]) {
      const res = await confirm({ token, new_password: 'yet another password' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('reset_token_invalid');
      expect(res.body.errors).toEqual([{ field: 'token', message: expect.any(String) }]);
    }
    expect(await passwordOf(who)).toEqual(before);
  });

  it('refuses an expired token and leaves the password alone', async () => {
    const who = await f.account('customer');
    const token = await resetToken(who);
    await f.inTenant(who.tenant.id, `UPDATE password_reset_tokens SET expires_at = now() - interval '1 second'`);
    const before = await passwordOf(who);
    const res = await confirm({ token, new_password: NEW_PASSWORD });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('reset_token_invalid');
    expect(await passwordOf(who)).toEqual(before);
    await f.signIn(who);
  });

  it('refuses malformed, unknown and forged tokens', async () => {
    const who = await f.account('customer');
    const token = await resetToken(who);
    const [scope, id] = token.split('.');
    for (const bad of ['garbage', mintToken('prt', who.tenant.id).token, `${scope}.${id}.${'B'.repeat(43)}`]) {
      const res = await confirm({ token: bad, new_password: NEW_PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('reset_token_invalid');
    }
    expect((await confirm({ token, new_password: NEW_PASSWORD })).status).toBe(204);
  });

  it('checks the password policy and keeps the token usable after a refusal', async () => {
    const who = await f.account('customer');
    const session = await f.signIn(who);
    const token = await resetToken(who);
    const before = await passwordOf(who);
    for (const weak of ['short', who.email]) {
      const res = await confirm({ token, new_password: weak });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'new_password', message: expect.any(String) }]);
    }
    expect(await passwordOf(who)).toEqual(before);
    expect((await f.refresh(session.refresh_token)).status).toBe(200);
    expect((await confirm({ token, new_password: NEW_PASSWORD })).status).toBe(204);
  });

  it('sends nothing for a disabled account', async () => {
    const who = await f.account('staff');
    await f.inTenant(who.tenant.id, `UPDATE users SET status = 'disabled' WHERE id = $1`, [who.userId]);
    expect((await requestReset({ tenant: who.tenant.slug, email: who.email })).status).toBe(202);
    const rows = await f.inTenant<unknown[]>(who.tenant.id, `SELECT 1 FROM password_reset_tokens`);
    expect(rows).toEqual([]);
  });

  it('sends the link for the live account, never for a deleted one with the same e-mail', async () => {
    const who = await f.account('staff');
    const insertDeleted = (tenantId: string, email: string) =>
      f.inTenant<Array<{ id: string }>>(
        tenantId,
        `INSERT INTO users (tenant_id, email, password_hash, role, status)
         VALUES ($1, $2, 'old hash', 'staff', 'deleted') RETURNING id`,
        [tenantId, email],
      );
    const [deleted] = await insertDeleted(who.tenant.id, who.email.toUpperCase());
    const token = await resetToken(who);
    const tokens = await f.inTenant<Array<{ user_id: string }>>(
      who.tenant.id,
      `SELECT user_id FROM password_reset_tokens`,
    );
    expect(tokens).toEqual([{ user_id: who.userId }]);
    expect((await confirm({ token, new_password: NEW_PASSWORD })).status).toBe(204);
    expect(await f.inTenant(who.tenant.id, `SELECT password_hash FROM users WHERE id = $1`, [deleted.id])).toEqual([
      { password_hash: 'old hash' },
    ]);

    const alone = await f.make.tenant();
    await insertDeleted(alone.id, who.email);
    expect((await requestReset({ tenant: alone.slug, email: who.email })).status).toBe(202);
    expect(await f.inTenant(alone.id, `SELECT 1 FROM password_reset_tokens`)).toEqual([]);
  });

  it('resets a super admin password through the platform tables', async () => {
    const email = `root-${f.unique()}@platform.test`;
    await upsertSuperAdmin(f.dataSource, email, PASSWORD);
    const session = (await f.login({ email, password: PASSWORD })).body;
    expect((await requestReset({ email })).status).toBe(202);
    const link = (await mailTo(OUTBOX, email)).text.match(/https:\/\/\S+/)![0];
    const token = new URL(link).searchParams.get('token')!;
    expect(token).toMatch(/^prt_platform\./);
    expect((await confirm({ token, new_password: NEW_PASSWORD })).status).toBe(204);
    expect((await f.login({ email, password: NEW_PASSWORD })).status).toBe(200);
    expect((await f.refresh(session.refresh_token)).body.code).toBe('refresh_token_revoked');
  });
});
