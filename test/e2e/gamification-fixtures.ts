import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { runWithoutTenant } from '../../src/database/tenant-transaction';
import { TokenService } from '../../src/modules/accounts/token.service';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { TestApp } from '../support/test-app';
import { customerFixtures } from './customers-fixtures';

/** Shared by the achievements, challenges, content, leaderboards and gamification e2e specs. */
export interface Member {
  id: string;
  token: string;
  name: string;
}

export function gamificationFixtures(t: TestApp) {
  const base = customerFixtures(t);
  const { dataSource, inTenant, bearer } = base;
  const tokens = t.app.get(TokenService);

  /** A tenant with a default program and an admin: what every gamification test starts from. */
  async function community(timeZone = 'UTC') {
    const { tenant, programId } = await base.tenantWithProgram();
    if (timeZone !== 'UTC') await setTimeZone(tenant.id, timeZone);
    const admin = await base.staffToken(tenant, 'admin');
    return { tenant, programId, admin };
  }

  async function setTimeZone(tenantId: string, timeZone: string): Promise<void> {
    await runWithoutTenant(dataSource, (m) =>
      m.query(
        `UPDATE tenants SET settings = jsonb_set(settings, '{loyalty}', COALESCE(settings->'loyalty', '{}') || $2::jsonb)
          WHERE id = $1`,
        [tenantId, JSON.stringify({ time_zone: timeZone })],
      ),
    );
  }

  /**
   * Signed-in customers of `tenant`, one per first name: users and customers rows written directly
   * and access tokens from the app's own TokenService (registering through argon2 tests nothing
   * here). Every request still goes through the real JWT check.
   */
  async function members(tenant: TenantEntity, names: string[]): Promise<Member[]> {
    const ids = names.map(() => randomUUID());
    await inTenant(
      tenant.id,
      `INSERT INTO users (tenant_id, id, email, password_hash, role, first_name, last_name)
       SELECT $1, id, 'member-' || id || '@example.com', 'not-a-hash', 'customer', name, 'Tester'
         FROM unnest($2::uuid[], $3::text[]) AS m(id, name)`,
      [tenant.id, ids, names],
    );
    await inTenant(
      tenant.id,
      `INSERT INTO customers (tenant_id, id, email, first_name, last_name)
       SELECT $1, id, 'member-' || id || '@example.com', name, 'Tester' FROM unnest($2::uuid[], $3::text[]) AS m(id, name)`,
      [tenant.id, ids, names],
    );
    return ids.map((id, index) => ({
      id,
      name: names[index],
      token: tokens.issueAccess({ sub: id, tid: tenant.id, role: 'customer' }).access_token,
    }));
  }

  /** An earning rule: a fixed number of points per activity of `type`. */
  async function rule(tenantId: string, programId: string, type: string, points: number): Promise<string> {
    const [row] = await inTenant<Array<{ id: string }>>(
      tenantId,
      `INSERT INTO rules (tenant_id, program_id, name, rule_type, effect) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id`,
      [tenantId, programId, `${points} per ${type}`, type, JSON.stringify({ type: 'fixed', points })],
    );
    return row.id;
  }

  async function location(tenantId: string, name: string): Promise<string> {
    const [row] = await inTenant<Array<{ id: string }>>(
      tenantId,
      `INSERT INTO locations (tenant_id, name, position, radius_m)
       VALUES ($1, $2, ST_GeogFromText('POINT(-0.1276 51.5072)'), 100) RETURNING id`,
      [tenantId, name],
    );
    return row.id;
  }

  /** Records an activity as the tenant's admin, through POST /api/activities. */
  const activity = (admin: string, customerId: string, type: string, body: Record<string, unknown> = {}) =>
    request(t.server)
      .post('/api/activities')
      .set(bearer(admin))
      .send({ type, customer_id: customerId, ...(type === 'purchase' ? { amount: 1000 } : {}), ...body });

  async function recorded(admin: string, customerId: string, type: string, body: Record<string, unknown> = {}) {
    const res = await activity(admin, customerId, type, body);
    expect(res.status).toBe(201);
    return res.body as { activity_id: string; points_awarded: number; balance: number };
  }

  const get = (token: string, path: string) => request(t.server).get(path).set(bearer(token));
  const post = (token: string, path: string, body: object = {}) =>
    request(t.server).post(path).set(bearer(token)).send(body);
  const patch = (token: string, path: string, body: object) =>
    request(t.server).patch(path).set(bearer(token)).send(body);
  const del = (token: string, path: string) => request(t.server).delete(path).set(bearer(token));

  async function outbox(tenantId: string, type: string) {
    return inTenant<Array<{ aggregate_id: string; payload: Record<string, unknown> }>>(
      tenantId,
      `SELECT aggregate_id, payload FROM outbox WHERE event_type = $1 ORDER BY sequence`,
      [type],
    );
  }

  async function auditActions(tenantId: string): Promise<string[]> {
    const rows = await inTenant<Array<{ action: string }>>(
      tenantId,
      `SELECT action FROM audit_log ORDER BY occurred_at`,
    );
    return rows.map((row) => row.action);
  }

  /** A challenge created by the admin through the API; answers its id. */
  async function challenge(admin: string, body: Record<string, unknown>): Promise<string> {
    const res = await post(admin, '/api/admin/challenges', {
      name: `Challenge ${randomUUID().slice(0, 8)}`,
      kind: 'personal',
      goal: { type: 'activity_count', activity_type: 'check_in', count: 3 },
      starts_at: new Date(Date.now() - 3600_000).toISOString(),
      ends_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /** An achievement created by the admin through the API; answers its id. */
  async function achievement(admin: string, criteria: object, body: Record<string, unknown> = {}): Promise<string> {
    const res = await post(admin, '/api/admin/achievements', {
      name: `Badge ${randomUUID().slice(0, 8)}`,
      criteria,
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  return {
    ...base,
    community,
    setTimeZone,
    members,
    rule,
    location,
    activity,
    recorded,
    get,
    post,
    patch,
    del,
    outbox,
    auditActions,
    challenge,
    achievement,
  };
}
