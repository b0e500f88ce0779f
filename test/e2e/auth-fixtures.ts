import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { TenantRole } from '../../src/common/auth/actor';
import { runInTenant, runWithoutTenant } from '../../src/database/tenant-transaction';
import { hashPassword } from '../../src/modules/accounts/passwords';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { factories } from '../support/factories';
import { TestApp } from '../support/test-app';

/** Shared by the auth*.e2e-spec files: accounts of any role, sign-in, settings, the mail sink. */
export const PASSWORD = 'correct horse battery';

export interface Account {
  tenant: TenantEntity;
  email: string;
  userId: string;
  role: TenantRole;
}

export function authFixtures(t: TestApp) {
  const dataSource = t.app.get(DataSource);
  const make = factories(dataSource);
  const unique = () => randomBytes(4).toString('hex');

  async function account(role: TenantRole = 'customer', tenant?: TenantEntity): Promise<Account> {
    const owner = tenant ?? (await make.tenant());
    const email = `${role}-${unique()}@example.com`;
    const hash = await hashPassword(PASSWORD);
    const [row] = (await runInTenant(dataSource, owner.id, (m) =>
      m.query(
        `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name)
         VALUES ($1, $2, $3, $4, 'Test', 'Person') RETURNING id`,
        [owner.id, email, hash, role],
      ),
    )) as Array<{ id: string }>;
    return { tenant: owner, email, userId: row.id, role };
  }

  const login = (body: object, ip?: string) => {
    const call = request(t.server).post('/api/auth/login');
    if (ip) void call.set('x-forwarded-for', ip);
    return call.send(body);
  };

  async function signIn(who: Account, extra: object = {}) {
    const res = await login({ tenant: who.tenant.slug, email: who.email, password: PASSWORD, ...extra });
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token: string; expires_in: number; token_type: string };
  }

  const refresh = (refreshToken: string) =>
    request(t.server).post('/api/auth/refresh').send({ refresh_token: refreshToken });

  const me = (accessToken: string) =>
    request(t.server).get('/api/auth/user').set('authorization', `Bearer ${accessToken}`);

  async function setSecurity(tenantId: string, security: Record<string, unknown>): Promise<void> {
    await runWithoutTenant(dataSource, (m) =>
      m.query(
        `UPDATE tenants SET settings = jsonb_set(settings, '{security}', COALESCE(settings->'security', '{}') || $2::jsonb)
          WHERE id = $1`,
        [tenantId, JSON.stringify(security)],
      ),
    );
  }

  const inTenant = <T>(tenantId: string, sql: string, parameters: unknown[] = []) =>
    runInTenant(dataSource, tenantId, (m) => m.query(sql, parameters) as Promise<T>);

  const asPlatform = <T>(sql: string, parameters: unknown[] = []) =>
    runWithoutTenant(dataSource, (m) => m.query(sql, parameters) as Promise<T>);

  return { dataSource, make, unique, account, login, signIn, refresh, me, setSecurity, inTenant, asPlatform };
}

/** The messages the sink mailer wrote to `path`, one JSON object per line. */
export function sentMail(path: string): Array<{ to: string; subject: string; text: string }> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { to: string; subject: string; text: string });
}

/** Waits until a message to `to` is in the sink (mail is sent in the background). */
export async function mailTo(path: string, to: string, count = 1) {
  for (let i = 0; i < 50; i++) {
    const messages = sentMail(path).filter((message) => message.to === to);
    if (messages.length >= count) return messages[count - 1];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no e-mail to ${to} in ${path}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
