import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { APP_CONFIG } from '../../src/config/config.module';
import { AppConfig } from '../../src/config/configuration';
import { hashPassword } from '../../src/modules/accounts/passwords';
import { TokenService } from '../../src/modules/accounts/token.service';
import { eventCodeKey, issueEventCode } from '../../src/modules/events/event-code';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { TestApp } from '../support/test-app';
import { authFixtures } from './auth-fixtures';

/** Shared by the events*.e2e-spec files. */
export interface Community {
  tenant: TenantEntity;
  programId: string;
  staffToken: string;
  staffUserId: string;
}

export interface Member {
  id: string;
  email: string;
  token: string;
}

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

export function eventFixtures(t: TestApp) {
  const auth = authFixtures(t);
  const { inTenant } = auth;
  const tokens = t.app.get(TokenService);
  const config = t.app.get<AppConfig>(APP_CONFIG);
  const unique = () => randomBytes(4).toString('hex');
  let passwordHash: Promise<string> | undefined;

  /** A tenant with a default program, a rule paying `points` per event attended, and a staff member. */
  async function community(points = 50): Promise<Community> {
    const tenant = await auth.make.tenant();
    const [program] = await inTenant<Array<{ id: string }>>(
      tenant.id,
      `INSERT INTO programs (tenant_id, name, is_default) VALUES ($1, 'Rewards', true) RETURNING id`,
      [tenant.id],
    );
    if (points > 0) {
      await inTenant(
        tenant.id,
        `INSERT INTO rules (tenant_id, program_id, name, rule_type, effect)
         VALUES ($1, $2, 'Show up', 'event_attendance', $3::jsonb)`,
        [tenant.id, program.id, JSON.stringify({ type: 'fixed', points })],
      );
    }
    const staff = await auth.account('staff', tenant);
    const { access_token } = await auth.signIn(staff);
    return { tenant, programId: program.id, staffToken: access_token, staffUserId: staff.userId };
  }

  /**
   * A signed-up customer: a customer account and its customers row (same id), with an access
   * token from the app's own signer (the real JWT strategy checks it on every request).
   */
  async function member(tenant: TenantEntity, names = { first_name: 'Ann', last_name: 'Lee' }): Promise<Member> {
    passwordHash ??= hashPassword('correct horse battery');
    const email = `member-${unique()}@example.com`;
    const [user] = await inTenant<Array<{ id: string }>>(
      tenant.id,
      `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name)
       VALUES ($1, $2, $3, 'customer', $4, $5) RETURNING id`,
      [tenant.id, email, await passwordHash, names.first_name, names.last_name],
    );
    await inTenant(
      tenant.id,
      `INSERT INTO customers (tenant_id, id, email, first_name, last_name) VALUES ($1, $2, $3, $4, $5)`,
      [tenant.id, user.id, email, names.first_name, names.last_name],
    );
    const { access_token } = tokens.issueAccess({ sub: user.id, tid: tenant.id, role: 'customer' });
    return { id: user.id, email, token: access_token };
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** An event planned through the API; by default it started half an hour ago and lasts two hours. */
  async function event(staffToken: string, overrides: Record<string, unknown> = {}): Promise<{ id: string }> {
    const res = await request(t.server)
      .post('/api/admin/events')
      .set(bearer(staffToken))
      .send({
        name: `Meetup ${unique()}`,
        description: 'Coffee and code',
        event_type: 'meetup',
        event_date: hoursFromNow(-0.5),
        ends_at: hoursFromNow(1.5),
        location: 'The community hall',
        ...overrides,
      });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  }

  /** The code on the event's screen right now, as a display fetches it. */
  async function currentCode(staffToken: string, eventId: string): Promise<string> {
    const res = await request(t.server).get(`/api/admin/events/${eventId}/qr`).set(bearer(staffToken));
    expect(res.status).toBe(200);
    return res.body.code as string;
  }

  /** A genuine code of this deployment for `at`, e.g. one that was on screen long ago. */
  function codeAt(tenantId: string, eventId: string, at: Date): string {
    const key = eventCodeKey(config.EVENT_CODE_SECRET, config.JWT_SECRET);
    return issueEventCode(key, { tenantId, eventId }, at, config.EVENT_CODE_ROTATION_SECONDS).code;
  }

  const attend = (member: Member, eventId: string, body: object) =>
    request(t.server).post(`/api/events/${eventId}/attend`).set(bearer(member.token)).send(body);

  const register = (member: Member, eventId: string) =>
    request(t.server).post(`/api/events/${eventId}/register`).set(bearer(member.token)).send();

  /** Everything attending writes, for one customer: proof that a refusal wrote nothing. */
  async function footprint(tenantId: string, customerId: string) {
    const [row] = await inTenant<
      Array<{ attendance: number; ledger: number; activities: number; attended_events: number; balance: string }>
    >(
      tenantId,
      `SELECT (SELECT count(*) FROM event_attendance WHERE customer_id = $1)::int AS attendance,
              (SELECT count(*) FROM point_transactions t JOIN loyalty_accounts a ON a.tenant_id = t.tenant_id AND a.id = t.account_id
                WHERE a.customer_id = $1)::int AS ledger,
              (SELECT count(*) FROM activities WHERE customer_id = $1 AND type = 'event_attendance')::int AS activities,
              (SELECT count(*) FROM outbox WHERE event_type = 'event.attended' AND payload->>'customer_id' = $1::text)::int
                AS attended_events,
              (SELECT COALESCE(sum(balance), 0) FROM loyalty_accounts WHERE customer_id = $1)::text AS balance`,
      [customerId],
    );
    return { ...row, balance: Number(row.balance) };
  }

  const nothingWritten = { attendance: 0, ledger: 0, activities: 0, attended_events: 0, balance: 0 };

  return {
    ...auth,
    config,
    community,
    member,
    bearer,
    event,
    currentCode,
    codeAt,
    attend,
    register,
    footprint,
    nothingWritten,
    hoursFromNow,
  };
}
