import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { customerFixtures } from './customers-fixtures';

const DAY = 86_400_000;

describe('customers: points adjustments and ledger (admin)', () => {
  let t: TestApp;
  let fx: ReturnType<typeof customerFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = customerFixtures(t);
  });
  afterAll(async () => t?.close());

  /** A tenant (default program expiring points 30 days after they are earned), an admin, a customer. */
  async function setUp() {
    const { tenant, programId } = await fx.tenantWithProgram({ type: 'days_after_earn', days: 30 });
    const admin = await fx.staffToken(tenant, 'admin');
    const customer = (await fx.make.customer(tenant.id, { firstName: 'Ann' })).id;
    return { tenant, programId, admin, customer };
  }

  const adjust = (token: string, customerId: string, body: object, key?: string) => {
    const call = request(t.server).post(`/api/admin/customers/${customerId}/adjust-points`).set(fx.bearer(token));
    if (key) void call.set('idempotency-key', key);
    return call.send(body);
  };

  const transactions = (token: string, customerId: string, query = '') =>
    request(t.server).get(`/api/admin/customers/${customerId}/transactions${query}`).set(fx.bearer(token));

  it('credits points: a ledger row and a lot under the program’s expiry policy, audited, with an event', async () => {
    const { tenant, programId, admin, customer } = await setUp();
    const before = Date.now();
    const res = await adjust(admin, customer, { points: 500, reason: 'Goodwill: late delivery' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ transaction_id: expect.any(String), program_id: programId, points: 500, balance: 500 });

    const [row] = await fx.inTenant<Array<Record<string, unknown>>>(
      tenant.id,
      `SELECT t.id, t.type, t.points::int, t.balance_after::int, t.reason, t.actor, l.remaining::int, l.expires_at
         FROM point_transactions t JOIN point_lots l ON l.transaction_id = t.id`,
    );
    expect(row).toMatchObject({
      id: res.body.transaction_id,
      type: 'adjust',
      points: 500,
      balance_after: 500,
      reason: 'Goodwill: late delivery',
      actor: expect.stringMatching(/^user:/),
      remaining: 500,
    });
    const expiresAt = (row.expires_at as Date).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * DAY - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * DAY + 1000);

    const audit = await fx.inTenant<Array<Record<string, unknown>>>(
      tenant.id,
      `SELECT action, target_id, before, after FROM audit_log WHERE action = 'customer.points_adjusted'`,
    );
    expect(audit).toEqual([
      {
        action: 'customer.points_adjusted',
        target_id: customer,
        before: { balance: 0 },
        after: { ...res.body, reason: 'Goodwill: late delivery' },
      },
    ]);
    const events = await fx.inTenant<Array<{ payload: Record<string, unknown> }>>(
      tenant.id,
      `SELECT payload FROM outbox WHERE event_type = 'points.adjusted'`,
    );
    expect(events).toEqual([
      { payload: expect.objectContaining({ customer_id: customer, points: 500, balance: 500, program_id: programId }) },
    ]);
    // Adjustments are not earnings: lifetime points (and so tiers) do not move.
    const [account] = await fx.inTenant<Array<{ lifetime_points: string }>>(
      tenant.id,
      `SELECT lifetime_points FROM loyalty_accounts`,
    );
    expect(Number(account.lifetime_points)).toBe(0);
  });

  it('debits points within the balance, consuming lots, and keeps ledger = balance', async () => {
    const { tenant, admin, customer } = await setUp();
    await adjust(admin, customer, { points: 300, reason: 'start' });
    const res = await adjust(admin, customer, { points: -120, reason: 'Correction' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ points: -120, balance: 180 });
    expect(await fx.ledgerOf(tenant.id, customer)).toEqual({ balance: 180, pending: 0, ledger: 180, rows: 2 });
    const [lots] = await fx.inTenant<Array<{ remaining: number }>>(
      tenant.id,
      `SELECT sum(remaining)::int AS remaining FROM point_lots`,
    );
    expect(lots.remaining).toBe(180);
  });

  it('refuses a debit below zero with 422 insufficient_points and changes nothing', async () => {
    const { tenant, admin, customer } = await setUp();
    await adjust(admin, customer, { points: 100, reason: 'start' });
    const before = await fx.ledgerOf(tenant.id, customer);
    const res = await adjust(admin, customer, { points: -101, reason: 'Too much' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'insufficient_points', balance: 100, requested: 101 });
    expect(await fx.ledgerOf(tenant.id, customer)).toEqual(before);
    expect(before).toEqual({ balance: 100, pending: 0, ledger: 100, rows: 1 });
    expect(
      await fx.inTenant(tenant.id, `SELECT 1 FROM audit_log WHERE action = 'customer.points_adjusted'`),
    ).toHaveLength(1);
    expect(await fx.inTenant(tenant.id, `SELECT 1 FROM outbox WHERE event_type = 'points.adjusted'`)).toHaveLength(1);
  });

  it('refuses a deduction from a customer with no points (no account yet) and creates no ledger row', async () => {
    const { tenant, admin, customer } = await setUp();
    const res = await adjust(admin, customer, { points: -1, reason: 'nothing there' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('insufficient_points');
    expect(await fx.inTenant(tenant.id, `SELECT 1 FROM point_transactions`)).toHaveLength(0);
  });

  it('refuses bad bodies with 400 naming the field, and moves nothing', async () => {
    const { tenant, admin, customer } = await setUp();
    const cases: Array<[object, string]> = [
      [{ points: 0, reason: 'x' }, 'points'],
      [{ points: 1.5, reason: 'x' }, 'points'],
      [{ points: '10', reason: 'x' }, 'points'],
      [{ points: 1_000_001, reason: 'x' }, 'points'],
      [{ points: -1_000_001, reason: 'x' }, 'points'],
      [{ reason: 'x' }, 'points'],
      [{ points: 10 }, 'reason'],
      [{ points: 10, reason: '' }, 'reason'],
      [{ points: 10, reason: '   ' }, 'reason'],
      [{ points: 10, reason: 'x'.repeat(501) }, 'reason'],
      [{ points: 10, reason: 'x', program_id: 'default' }, 'program_id'],
      [{ points: 10, reason: 'x', balance: 1e9 }, 'balance'],
    ];
    for (const [body, field] of cases) {
      const res = await adjust(admin, customer, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    expect(await fx.inTenant(tenant.id, `SELECT 1 FROM point_transactions`)).toHaveLength(0);
    expect(await fx.inTenant(tenant.id, `SELECT 1 FROM loyalty_accounts`)).toHaveLength(0);
    // The edges are allowed.
    expect((await adjust(admin, customer, { points: 1_000_000, reason: 'x'.repeat(500) })).status).toBe(201);
    expect((await adjust(admin, customer, { points: -1_000_000, reason: 'y' })).status).toBe(201);
  });

  it('is for admins: staff and customers get 403, and nothing moves', async () => {
    const { tenant, admin, customer } = await setUp();
    const owner = await fx.staffToken(tenant, 'owner');
    const staff = await fx.staffToken(tenant, 'staff');
    const appCustomer = await fx.appCustomer(tenant);
    for (const token of [staff, appCustomer.token]) {
      const res = await adjust(token, customer, { points: 50, reason: 'sneaky' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('insufficient_role');
      const self = await adjust(token, appCustomer.id, { points: 50, reason: 'sneaky' });
      expect(self.status).toBe(403);
    }
    expect(await fx.inTenant(tenant.id, `SELECT 1 FROM point_transactions`)).toHaveLength(0);
    expect((await adjust(admin, customer, { points: 1, reason: 'ok' })).status).toBe(201);
    expect((await adjust(owner, customer, { points: 1, reason: 'ok' })).status).toBe(201);
  });

  it('answers 404 for another tenant’s customer or program, an unknown or malformed id', async () => {
    const { tenant, admin, customer } = await setUp();
    const other = await setUp();
    for (const id of [other.customer, '00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await adjust(admin, id, { points: 10, reason: 'x' });
      expect(res.status).toBe(404);
      expect((await transactions(admin, id)).status).toBe(404);
    }
    const foreignProgram = await adjust(admin, customer, { points: 10, reason: 'x', program_id: other.programId });
    expect(foreignProgram.status).toBe(404);
    expect(await fx.inTenant(tenant.id, `SELECT 1 FROM point_transactions`)).toHaveLength(0);
    expect(await fx.inTenant(other.tenant.id, `SELECT 1 FROM point_transactions`)).toHaveLength(0);
  });

  it('adjusts in another program when named, and refuses an archived one (422)', async () => {
    const { tenant, admin, customer, programId } = await setUp();
    const [second] = await fx.inTenant<Array<{ id: string }>>(
      tenant.id,
      `INSERT INTO programs (tenant_id, name) VALUES ($1, 'Second') RETURNING id`,
      [tenant.id],
    );
    const res = await adjust(admin, customer, { points: 40, reason: 'x', program_id: second.id });
    expect(res.status).toBe(201);
    expect(res.body.program_id).toBe(second.id);
    const [lot] = await fx.inTenant<Array<{ expires_at: Date | null }>>(tenant.id, `SELECT expires_at FROM point_lots`);
    expect(lot.expires_at).toBeNull();
    // The default program's balance is untouched.
    expect((await request(t.server).get(`/api/admin/customers/${customer}`).set(fx.bearer(admin))).body.balance).toBe(
      0,
    );

    await fx.inTenant(tenant.id, `UPDATE programs SET status = 'archived' WHERE id = $1`, [second.id]);
    const archived = await adjust(admin, customer, { points: 40, reason: 'x', program_id: second.id });
    expect(archived.status).toBe(422);
    expect(archived.body.code).toBe('program_archived');
    expect(programId).not.toBe(second.id);
  });

  it('refuses to adjust an erased customer with 409 customer_erased', async () => {
    const { tenant, admin, customer } = await setUp();
    await fx.inTenant(tenant.id, `UPDATE customers SET status = 'erased' WHERE id = $1`, [customer]);
    const res = await adjust(admin, customer, { points: 10, reason: 'x' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('customer_erased');
    expect(await fx.inTenant(tenant.id, `SELECT 1 FROM point_transactions`)).toHaveLength(0);
  });

  describe('Idempotency-Key', () => {
    it('replays the first answer with Idempotent-Replayed: true and moves the points once', async () => {
      const { tenant, admin, customer } = await setUp();
      const body = { points: 75, reason: 'Birthday bonus' };
      const first = await adjust(admin, customer, body, 'adj-1');
      const replay = await adjust(admin, customer, { reason: 'Birthday bonus', points: 75 }, 'adj-1');
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await fx.ledgerOf(tenant.id, customer)).toEqual({ balance: 75, pending: 0, ledger: 75, rows: 1 });
    });

    it('refuses the same key with another body (422 idempotency_key_reused) and moves nothing more', async () => {
      const { tenant, admin, customer } = await setUp();
      await adjust(admin, customer, { points: 75, reason: 'Birthday bonus' }, 'adj-2');
      const reused = await adjust(admin, customer, { points: 7500, reason: 'Birthday bonus' }, 'adj-2');
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(await fx.ledgerOf(tenant.id, customer)).toEqual({ balance: 75, pending: 0, ledger: 75, rows: 1 });
    });

    it('lets 20 concurrent requests with the same key write exactly one ledger row', async () => {
      const { tenant, admin, customer } = await setUp();
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => adjust(admin, customer, { points: 10, reason: 'once' }, 'adj-burst')),
      );
      expect(responses.map((res) => res.status)).toEqual(Array(20).fill(201));
      expect(responses.filter((res) => res.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      for (const res of responses) expect(res.body).toEqual(responses[0].body);
      expect(await fx.ledgerOf(tenant.id, customer)).toEqual({ balance: 10, pending: 0, ledger: 10, rows: 1 });
    });

    it('keeps no key when the adjustment was refused, so a corrected retry under it runs', async () => {
      const { tenant, admin, customer } = await setUp();
      const refused = await adjust(admin, customer, { points: -5, reason: 'x' }, 'adj-retry');
      expect(refused.status).toBe(422);
      await adjust(admin, customer, { points: 5, reason: 'top up' });
      const retried = await adjust(admin, customer, { points: -5, reason: 'x' }, 'adj-retry');
      expect(retried.status).toBe(201);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      expect(await fx.ledgerOf(tenant.id, customer)).toEqual({ balance: 0, pending: 0, ledger: 0, rows: 2 });
    });
  });

  describe('GET /api/admin/customers/{id}/transactions', () => {
    it('lists the ledger newest first, page by page, for staff too', async () => {
      const { tenant, admin, customer } = await setUp();
      for (const points of [100, 200, -50]) await adjust(admin, customer, { points, reason: `r${points}` });
      const staff = await fx.staffToken(tenant, 'staff');
      const first = await transactions(staff, customer, '?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.data.map((row: { points: number }) => row.points)).toEqual([-50, 200]);
      expect(first.body.data[0]).toEqual({
        id: expect.any(String),
        program_id: expect.any(String),
        type: 'adjust',
        points: -50,
        balance_after: 250,
        pending: false,
        reason: 'r-50',
        activity_id: null,
        rule_id: null,
        reference: null,
        shortfall: 0,
        actor: expect.stringMatching(/^user:/),
        created_at: expect.any(String),
      });
      const second = await transactions(staff, customer, `?limit=2&cursor=${first.body.next_cursor}`);
      expect(second.body.data.map((row: { points: number }) => row.points)).toEqual([100]);
      expect(second.body.next_cursor).toBeNull();
    });

    it('is refused to customers (403)', async () => {
      const { tenant, customer } = await setUp();
      const appCustomer = await fx.appCustomer(tenant);
      expect((await transactions(appCustomer.token, customer)).status).toBe(403);
      expect((await transactions(appCustomer.token, appCustomer.id)).status).toBe(403);
    });
  });
});
