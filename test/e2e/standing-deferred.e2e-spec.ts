import { Body, Controller, Post } from '@nestjs/common';
import request from 'supertest';
import { Customer, CurrentActor, StandingCheckedInTransaction } from '../../src/common/auth/access.decorators';
import type { Actor } from '../../src/common/auth/actor';
import { pendingStanding } from '../../src/common/auth/standing';
import { NotFoundError } from '../../src/common/errors/domain-error';
import { TenantDatabase } from '../../src/database/tenant-database.service';
import { runWithoutTenant } from '../../src/database/tenant-transaction';
import { startTestApp, TestApp } from '../support/test-app';
import { locationFixtures } from './locations-fixtures';

/** Routes that leave the customer's token standing to their transaction, wired well and badly. */
@Controller('__standing')
class DeferredStandingProbe {
  constructor(private readonly database: TenantDatabase) {}

  /** Wired as the product wires it: the work runs in a transaction given the pending standing. */
  @Post('checked')
  @Customer()
  @StandingCheckedInTransaction()
  async checked(@CurrentActor() actor: Actor, @Body() body: { note?: string }) {
    const tenantId = actor.tenantId!;
    await this.database.run(
      tenantId,
      (manager) =>
        manager.query(
          `INSERT INTO audit_log (tenant_id, actor_type, action, target_type, target_id) VALUES ($1, $2, $3, 'probe', $4)`,
          [tenantId, 'user', body.note ?? 'checked', actor.kind === 'user' ? actor.userId : ''],
        ),
      { standing: pendingStanding(actor) },
    );
    return { ok: true };
  }

  /** Fails before any transaction opens. */
  @Post('fails-first')
  @Customer()
  @StandingCheckedInTransaction()
  failsFirst(): never {
    throw new NotFoundError('Probe');
  }

  /** Wired wrongly: answers without a transaction that checks. */
  @Post('never-checks')
  @Customer()
  @StandingCheckedInTransaction()
  neverChecks() {
    return { ok: true };
  }
}

describe('a customer token standing checked in the request’s transaction (StandingCheckedInTransaction)', () => {
  let t: TestApp;
  let f: ReturnType<typeof locationFixtures>;

  beforeAll(async () => {
    t = await startTestApp({ controllers: [DeferredStandingProbe] });
    f = locationFixtures(t);
  });
  afterAll(async () => t?.close());

  const post = (token: string, path: string, body: object = {}) =>
    request(t.server).post(`/__standing/${path}`).set('authorization', `Bearer ${token}`).send(body);
  const probeRows = (tenantId: string) =>
    f.inTenant<Array<{ action: string }>>(tenantId, `SELECT action FROM audit_log WHERE target_type = 'probe'`);

  async function customerOfNewTenant() {
    const { tenant } = await f.tenantWithAdmin();
    const customer = await f.customer(tenant);
    return { tenant, customer };
  }

  it('lets a customer in good standing through, and the work is done', async () => {
    const { tenant, customer } = await customerOfNewTenant();
    const res = await post(customer.token, 'checked', { note: 'fine' });
    expect(res.status).toBe(201);
    expect(await probeRows(tenant.id)).toEqual([{ action: 'fine' }]);
  });

  it.each([
    [
      'a disabled account',
      401,
      'invalid_token',
      (tenantId: string, userId: string) =>
        f.inTenant(tenantId, `UPDATE users SET status = 'disabled' WHERE id = $1`, [userId]),
    ],
    [
      'a deleted account',
      401,
      'invalid_token',
      (tenantId: string, userId: string) =>
        f.inTenant(tenantId, `UPDATE users SET status = 'deleted' WHERE id = $1`, [userId]),
    ],
    [
      'a password changed after the token was issued',
      401,
      'invalid_token',
      (tenantId: string, userId: string) =>
        f.inTenant(tenantId, `UPDATE users SET password_changed_at = now() + interval '1 minute' WHERE id = $1`, [
          userId,
        ]),
    ],
    [
      'a suspended tenant',
      403,
      'tenant_suspended',
      (tenantId: string) =>
        runWithoutTenant(f.dataSource, (m) =>
          m.query(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [tenantId]),
        ),
    ],
    [
      'an account that is no longer a customer',
      403,
      'insufficient_role',
      (tenantId: string, userId: string) =>
        f.inTenant(tenantId, `UPDATE users SET role = 'staff' WHERE id = $1`, [userId]),
    ],
  ])('refuses %s with %i %s and writes nothing', async (_name, status, code, spoil) => {
    const { tenant, customer } = await customerOfNewTenant();
    await spoil(tenant.id, customer.id);
    const res = await post(customer.token, 'checked');
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.code).toBe(code);
    expect(await probeRows(tenant.id)).toEqual([]);
  });

  it('gives a refused token its 401 even when the handler fails before its transaction', async () => {
    const { tenant, customer } = await customerOfNewTenant();
    expect((await post(customer.token, 'fails-first')).status).toBe(404);
    await f.inTenant(tenant.id, `UPDATE users SET status = 'disabled' WHERE id = $1`, [customer.id]);
    const res = await post(customer.token, 'fails-first');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });

  it('answers 500 from a route whose work never checked, and 401 to a refused token there', async () => {
    const { tenant, customer } = await customerOfNewTenant();
    const res = await post(customer.token, 'never-checks');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('"ok"');
    await f.inTenant(tenant.id, `UPDATE users SET status = 'disabled' WHERE id = $1`, [customer.id]);
    expect((await post(customer.token, 'never-checks')).status).toBe(401);
  });

  it('checks staff tokens before the handler, as on any route: 403 for the role, 401 for a disabled account', async () => {
    const { tenant, token, adminId } = await f.tenantWithAdmin();
    const res = await post(token, 'checked');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('insufficient_role');
    await f.inTenant(tenant.id, `UPDATE users SET status = 'disabled' WHERE id = $1`, [adminId]);
    const disabled = await post(token, 'checked');
    expect(disabled.status).toBe(401);
    expect(disabled.body.code).toBe('invalid_token');
    expect(await probeRows(tenant.id)).toEqual([]);
  });
});
