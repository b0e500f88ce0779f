import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { TenantDatabase } from '../../src/database/tenant-database.service';
import { RedemptionExpiryService } from '../../src/modules/rewards/redemption-expiry.service';
import { checkSymbol, parseVoucherCode } from '../../src/modules/rewards/voucher-code';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { WorkerModule } from '../../src/worker.module';
import { startTestApp, TestApp } from '../support/test-app';
import { Lot, rewardFixtures, Shopper } from './rewards-fixtures';

const DAY = 86_400_000;

interface LotRow {
  points: number;
  remaining: number;
  expires_at: Date | null;
}

describe('redemptions: redeem, fulfil, cancel, expire', () => {
  let t: TestApp;
  let fx: ReturnType<typeof rewardFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = rewardFixtures(t);
  });
  afterAll(async () => t?.close());

  interface Shop {
    tenant: TenantEntity;
    programId: string;
    admin: string;
    staff: string;
    customer: Shopper;
  }

  /** A tenant with a default program, an admin, a staff member and one customer holding `lots`. */
  async function shop(lots: Lot[] = [{ points: 1000 }]): Promise<Shop> {
    const { tenant, programId } = await fx.tenantWithProgram();
    const [customer] = await fx.shoppers(tenant, 1);
    await fx.givePoints(tenant.id, programId, customer.id, lots);
    return {
      tenant,
      programId,
      admin: await fx.staffToken(tenant, 'admin'),
      staff: await fx.staffToken(tenant, 'staff'),
      customer,
    };
  }

  const fulfil = (token: string, code: string, body: object = {}) =>
    request(t.server)
      .post(`/api/admin/redemptions/${encodeURIComponent(code)}/fulfil`)
      .set(fx.bearer(token))
      .send(body);
  const cancel = (token: string, id: string, body: object = {}) =>
    request(t.server).post(`/api/admin/redemptions/${id}/cancel`).set(fx.bearer(token)).send(body);

  const lotsOf = (tenantId: string, customerId: string) =>
    fx.inTenant<LotRow[]>(
      tenantId,
      `SELECT l.points::int AS points, l.remaining::int AS remaining, l.expires_at FROM point_lots l
         JOIN loyalty_accounts a ON a.tenant_id = l.tenant_id AND a.id = l.account_id
        WHERE a.customer_id = $1 ORDER BY l.expires_at NULLS LAST`,
      [customerId],
    );
  const stockOf = async (tenantId: string, rewardId: string) =>
    (
      await fx.inTenant<Array<{ stock: number | null }>>(
        tenantId,
        `SELECT quantity_available AS stock FROM rewards WHERE id = $1`,
        [rewardId],
      )
    )[0].stock;
  const eventsOf = (tenantId: string, type: string) =>
    fx.inTenant<Array<{ payload: Record<string, unknown> }>>(
      tenantId,
      `SELECT payload FROM outbox WHERE event_type = $1 ORDER BY sequence`,
      [type],
    );
  const statusOf = async (tenantId: string, redemptionId: string) =>
    (
      await fx.inTenant<Array<{ status: string }>>(tenantId, `SELECT status FROM redemptions WHERE id = $1`, [
        redemptionId,
      ])
    )[0].status;

  /** The code as a person might type it: lower case, no dashes, 0 as O. */
  const typedSloppily = (code: string) => code.replace(/-/g, '').toLowerCase().replace(/0/g, 'o');

  /** A well-formed code (valid check symbol) that differs from `code` in its first symbol. */
  function anotherValidCode(code: string): string {
    const canonical = parseVoucherCode(code)!;
    const symbols = (canonical[0] === 'A' ? 'B' : 'A') + canonical.slice(1, 11);
    return symbols + checkSymbol(symbols);
  }

  it('redeems: points from the lots that expire first, one unit of stock, a pending voucher, a ledger row, an event', async () => {
    const s = await shop([
      { points: 300, expiresInDays: 30 },
      { points: 300, expiresInDays: 5 },
      { points: 300, expiresInDays: null },
    ]);
    const rewardId = await fx.reward(s.admin, {
      name: 'Cinema ticket',
      point_cost: 400,
      quantity_available: 3,
      voucher_valid_days: 7,
    });
    const res = await fx.redeem(s.customer.token, rewardId);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      redemption_id: expect.any(String),
      reward_id: rewardId,
      code: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/),
      status: 'pending',
      points_used: 400,
      balance: 500,
      expires_at: expect.any(String),
      created_at: expect.any(String),
    });
    expect(parseVoucherCode(res.body.code)).not.toBeNull();
    const validFor = new Date(res.body.expires_at).getTime() - new Date(res.body.created_at).getTime();
    expect(Math.abs(validFor - 7 * DAY)).toBeLessThan(60_000);

    expect((await lotsOf(s.tenant.id, s.customer.id)).map((lot) => lot.remaining)).toEqual([0, 200, 300]);
    expect(await stockOf(s.tenant.id, rewardId)).toBe(2);
    const ledger = await fx.ledgerOf(s.tenant.id, s.customer.id);
    expect(ledger).toMatchObject({ balance: 500, ledger: 500 });
    const [redeemRow] = await fx.inTenant<Array<{ points: string; reference: string; reason: string }>>(
      s.tenant.id,
      `SELECT points, reference, reason FROM point_transactions WHERE type = 'redeem'`,
    );
    expect(redeemRow).toEqual({ points: '-400', reference: res.body.redemption_id, reason: 'Redeemed: Cinema ticket' });
    expect(await eventsOf(s.tenant.id, 'reward.redeemed')).toEqual([
      {
        payload: expect.objectContaining({
          redemption_id: res.body.redemption_id,
          reward_id: rewardId,
          customer_id: s.customer.id,
          points_used: 400,
          code: res.body.code,
        }),
      },
    ]);

    const mine = await request(t.server).get('/api/redemptions').set(fx.bearer(s.customer.token));
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({
      data: [
        expect.objectContaining({
          id: res.body.redemption_id,
          reward_name: 'Cinema ticket',
          code: res.body.code,
          status: 'pending',
        }),
      ],
      next_cursor: null,
    });
    expect(mine.body.data[0]).not.toHaveProperty('customer_id');
    const listed = await request(t.server)
      .get(`/api/admin/redemptions?status=pending&customer_id=${s.customer.id}&reward_id=${rewardId}`)
      .set(fx.bearer(s.staff));
    expect(listed.body.data).toEqual([
      expect.objectContaining({ id: res.body.redemption_id, customer_id: s.customer.id }),
    ]);
    const none = await request(t.server).get('/api/admin/redemptions?status=fulfilled').set(fx.bearer(s.staff));
    expect(none.body.data).toEqual([]);
  });

  it('pages redemptions newest first', async () => {
    const s = await shop();
    const rewardId = await fx.reward(s.admin, { point_cost: 10 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await fx.redeem(s.customer.token, rewardId)).body.redemption_id);
    const first = await request(t.server).get('/api/redemptions?limit=3').set(fx.bearer(s.customer.token));
    const second = await request(t.server)
      .get(`/api/redemptions?limit=3&cursor=${first.body.next_cursor}`)
      .set(fx.bearer(s.customer.token));
    expect([...first.body.data, ...second.body.data].map((r: { id: string }) => r.id)).toEqual(ids.reverse());
    expect(second.body.next_cursor).toBeNull();
  });

  it('honours Idempotency-Key: a replay answers the first voucher and takes nothing more', async () => {
    const s = await shop([{ points: 1000 }]);
    const rewardId = await fx.reward(s.admin, { point_cost: 300, quantity_available: 10 });
    const send = (body: object = {}) => fx.redeem(s.customer.token, rewardId, body).set('idempotency-key', 'tap-1');
    const first = await send();
    const replay = await send();
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await fx.ledgerOf(s.tenant.id, s.customer.id)).toMatchObject({ balance: 700, ledger: 700 });
    expect(await stockOf(s.tenant.id, rewardId)).toBe(9);
    const reused = await send({ location_id: await fx.location(s.tenant.id) });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });

  it('refuses what may not be redeemed with a 4xx and its reason, and changes nothing', async () => {
    const s = await shop([{ points: 1000 }]);
    const [tier] = await fx.inTenant<Array<{ id: string }>>(
      s.tenant.id,
      `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold) VALUES ($1, $2, 'Gold', 1, 5000) RETURNING id`,
      [s.tenant.id, s.programId],
    );
    const [here, there] = [await fx.location(s.tenant.id), await fx.location(s.tenant.id, 'There')];
    const other = await fx.tenantWithProgram();
    const otherAdmin = await fx.staffToken(other.tenant, 'admin');
    const rewards = {
      inactive: await fx.reward(s.admin, { active: false }),
      ended: await fx.reward(s.admin, {}),
      upcoming: await fx.reward(s.admin, { start_date: new Date(Date.now() + DAY).toISOString() }),
      tierLocked: await fx.reward(s.admin, { min_tier_id: tier.id }),
      tooDear: await fx.reward(s.admin, { point_cost: 1001 }),
      soldOut: await fx.reward(s.admin, { quantity_available: 0 }),
      elsewhere: await fx.reward(s.admin, { location_ids: [there] }),
      deleted: await fx.reward(s.admin, {}),
      otherTenants: await fx.reward(otherAdmin, {}),
      limited: await fx.reward(s.admin, { point_cost: 10, per_customer_limit: 1 }),
    };
    await fx.inTenant(s.tenant.id, `UPDATE rewards SET end_date = now() - interval '1 minute' WHERE id = $1`, [
      rewards.ended,
    ]);
    expect(
      (await request(t.server).delete(`/api/admin/rewards/${rewards.deleted}`).set(fx.bearer(s.admin))).status,
    ).toBe(204);
    expect((await fx.redeem(s.customer.token, rewards.limited)).status).toBe(201);

    const before = await fx.stateOf(s.tenant.id);
    const cases: Array<[string, string, object, number, string, string | undefined]> = [
      ['inactive', rewards.inactive, {}, 422, 'not_eligible', 'inactive'],
      ['ended', rewards.ended, {}, 422, 'not_eligible', 'expired'],
      ['not yet available', rewards.upcoming, {}, 422, 'not_eligible', 'not_yet_available'],
      ['tier-locked', rewards.tierLocked, {}, 422, 'not_eligible', 'tier_required'],
      ['at another location', rewards.elsewhere, { location_id: here }, 422, 'not_eligible', 'location_restricted'],
      ['over the per-customer limit', rewards.limited, {}, 422, 'limit_reached', 'limit_reached'],
      ['out of stock', rewards.soldOut, {}, 422, 'out_of_stock', 'out_of_stock'],
      ['beyond the balance', rewards.tooDear, {}, 422, 'insufficient_points', undefined],
      ['deleted', rewards.deleted, {}, 404, 'not_found', undefined],
      ['another tenant’s', rewards.otherTenants, {}, 404, 'not_found', undefined],
      ['not an id', 'nope', {}, 404, 'not_found', undefined],
      ['with a malformed location', rewards.elsewhere, { location_id: 'here' }, 400, 'validation_failed', undefined],
    ];
    for (const [what, rewardId, body, status, code, reason] of cases) {
      const res = await fx.redeem(s.customer.token, rewardId, body);
      expect({ what, status: res.status, code: res.body.code, reason: res.body.reason }).toEqual({
        what,
        status,
        code,
        reason,
      });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.detail).toEqual(expect.any(String));
    }
    const staffTries = await fx.redeem(s.staff, rewards.tooDear);
    expect(staffTries.status).toBe(403);
    expect(await fx.stateOf(s.tenant.id)).toEqual(before);
    // Redeemable where it is offered, or when the customer does not say where they are.
    expect((await fx.redeem(s.customer.token, rewards.elsewhere, { location_id: there })).status).toBe(201);
    expect((await fx.redeem(s.customer.token, rewards.elsewhere)).status).toBe(201);
  });

  it('refuses a disabled customer’s token in the redemption’s own transaction: 401, nothing taken', async () => {
    const s = await shop([{ points: 1000 }]);
    const rewardId = await fx.reward(s.admin, { point_cost: 300, quantity_available: 10 });
    await fx.inTenant(s.tenant.id, `UPDATE users SET status = 'disabled' WHERE id = $1`, [s.customer.id]);
    const before = await fx.stateOf(s.tenant.id);
    const res = await fx.redeem(s.customer.token, rewardId).set('idempotency-key', 'tap-off');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
    // What the handler would refuse (no such reward) is told about the token first.
    expect((await fx.redeem(s.customer.token, 'nope')).status).toBe(401);
    expect(await fx.stateOf(s.tenant.id)).toEqual(before);
    expect(await stockOf(s.tenant.id, rewardId)).toBe(10);
    expect(await fx.inTenant(s.tenant.id, `SELECT 1 FROM idempotency_keys`)).toEqual([]);
    expect(await fx.ledgerOf(s.tenant.id, s.customer.id)).toMatchObject({ balance: 1000, ledger: 1000 });
  });

  it('fulfils a voucher by its code, however it is typed, exactly once', async () => {
    const s = await shop();
    const rewardId = await fx.reward(s.admin, { point_cost: 100 });
    const redeemed = (await fx.redeem(s.customer.token, rewardId)).body;

    const wrongSymbol = redeemed.code.replace(/^./, (first: string) => (first === 'A' ? 'B' : 'A'));
    const mistyped = await fulfil(s.staff, wrongSymbol);
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.errors).toEqual([{ field: 'code', message: expect.stringContaining('typo') }]);
    expect((await fulfil(s.staff, anotherValidCode(redeemed.code))).status).toBe(404);
    expect((await fulfil(s.customer.token, redeemed.code)).status).toBe(403);
    const stranger = await fx.staffToken((await fx.tenantWithProgram()).tenant, 'staff');
    expect((await fulfil(stranger, redeemed.code)).status).toBe(404);
    expect(await statusOf(s.tenant.id, redeemed.redemption_id)).toBe('pending');

    const res = await fulfil(s.staff, typedSloppily(redeemed.code));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: redeemed.redemption_id,
      code: redeemed.code,
      status: 'fulfilled',
      fulfilled_at: expect.any(String),
      fulfilled_location_id: null,
    });
    const again = await fulfil(s.staff, redeemed.code);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('voucher_already_fulfilled');
    const cancelFulfilled = await cancel(s.staff, redeemed.redemption_id);
    expect(cancelFulfilled.status).toBe(409);
    expect(cancelFulfilled.body.code).toBe('voucher_already_fulfilled');
    expect(await fx.ledgerOf(s.tenant.id, s.customer.id)).toMatchObject({ balance: 900, ledger: 900 });

    const audit = await fx.inTenant<Array<{ action: string; actor_role: string; after: { status: string } }>>(
      s.tenant.id,
      `SELECT action, actor_role, after FROM audit_log WHERE target_type = 'redemption'`,
    );
    expect(audit).toEqual([
      { action: 'redemption.fulfilled', actor_role: 'staff', after: expect.objectContaining({ status: 'fulfilled' }) },
    ]);
    expect(await eventsOf(s.tenant.id, 'redemption.fulfilled')).toHaveLength(1);

    // A tenant's server with the redemptions:write scope fulfils too.
    const key = await fx.apiKey(s.tenant, ['redemptions:write']);
    const second = (await fx.redeem(s.customer.token, rewardId)).body;
    const byKey = await request(t.server)
      .post(`/api/admin/redemptions/${second.code}/fulfil`)
      .set('x-api-key', key)
      .send({});
    expect(byKey.status).toBe(200);
  });

  it('hands a location-restricted reward over only at one of its locations', async () => {
    const s = await shop();
    const [counter, kiosk, elsewhere] = [
      await fx.location(s.tenant.id, 'Counter'),
      await fx.location(s.tenant.id, 'Kiosk'),
      await fx.location(s.tenant.id, 'Elsewhere'),
    ];
    const rewardId = await fx.reward(s.admin, { point_cost: 100, location_ids: [counter, kiosk] });
    const { code } = (await fx.redeem(s.customer.token, rewardId)).body;
    const nowhere = await fulfil(s.staff, code);
    expect([nowhere.status, nowhere.body.code]).toEqual([422, 'location_restricted']);
    const wrong = await fulfil(s.staff, code, { location_id: elsewhere });
    expect([wrong.status, wrong.body.code]).toEqual([422, 'location_restricted']);
    const unknown = await fulfil(s.staff, code, { location_id: '00000000-0000-4000-8000-0000000000b9' });
    expect([unknown.status, unknown.body.errors?.[0]?.field]).toEqual([400, 'location_id']);
    const res = await fulfil(s.staff, code, { location_id: kiosk });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'fulfilled', fulfilled_location_id: kiosk });

    // An unrestricted reward may be handed over anywhere, and says where.
    const openId = await fx.reward(s.admin, { point_cost: 100 });
    const open = (await fx.redeem(s.customer.token, openId)).body;
    expect((await fulfil(s.staff, open.code, { location_id: elsewhere })).body.fulfilled_location_id).toBe(elsewhere);
  });

  it('cancels: points back to the lots they came from with their expiry (expired ones written off), stock back', async () => {
    const s = await shop([
      { points: 300, expiresInDays: 5 },
      { points: 300, expiresInDays: 30 },
    ]);
    const rewardId = await fx.reward(s.admin, { point_cost: 400, quantity_available: 1, per_customer_limit: 1 });
    const redeemed = (await fx.redeem(s.customer.token, rewardId)).body;
    const lotsAfterRedeeming = await lotsOf(s.tenant.id, s.customer.id);
    expect(lotsAfterRedeeming.map((lot) => lot.remaining)).toEqual([0, 200]);
    expect(await stockOf(s.tenant.id, rewardId)).toBe(0);
    // The first lot's expiry passes while the voucher is out.
    await fx.inTenant(
      s.tenant.id,
      `UPDATE point_lots SET expires_at = now() - interval '1 hour' WHERE points = 300 AND remaining = 0`,
    );

    const res = await cancel(s.staff, redeemed.redemption_id, { reason: 'Changed their mind' }).set(
      'idempotency-key',
      'cancel-1',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'Changed their mind',
      cancelled_at: expect.any(String),
    });
    const replay = await cancel(s.staff, redeemed.redemption_id, { reason: 'Changed their mind' }).set(
      'idempotency-key',
      'cancel-1',
    );
    expect([replay.status, replay.headers['idempotent-replayed']]).toEqual([200, 'true']);

    const lots = await lotsOf(s.tenant.id, s.customer.id);
    // 100 back to the 30-day lot, its expiry unchanged; 300 back to the expired lot, written off at once.
    expect(lots.map((lot) => lot.remaining)).toEqual([0, 300]);
    expect(lots[1].expires_at).toEqual(lotsAfterRedeeming[1].expires_at);
    const rows = await fx.inTenant<Array<{ type: string; points: string; reference: string | null }>>(
      s.tenant.id,
      `SELECT type, points, reference FROM point_transactions ORDER BY created_at, type`,
    );
    expect(rows.slice(-2)).toEqual(
      expect.arrayContaining([
        { type: 'adjust', points: '400', reference: redeemed.redemption_id },
        { type: 'expire', points: '-300', reference: null },
      ]),
    );
    expect(await fx.ledgerOf(s.tenant.id, s.customer.id)).toMatchObject({ balance: 300, ledger: 300 });
    expect(await stockOf(s.tenant.id, rewardId)).toBe(1);
    expect(await eventsOf(s.tenant.id, 'redemption.cancelled')).toEqual([
      {
        payload: expect.objectContaining({
          redemption_id: redeemed.redemption_id,
          points_refunded: 400,
          points_expired: 300,
          balance: 300,
        }),
      },
    ]);
    expect(await fx.inTenant(s.tenant.id, `SELECT action FROM audit_log WHERE target_type = 'redemption'`)).toEqual([
      { action: 'redemption.cancelled' },
    ]);

    const again = await cancel(s.staff, redeemed.redemption_id);
    expect([again.status, again.body.code]).toEqual([409, 'voucher_cancelled']);
    const fulfilCancelled = await fulfil(s.staff, redeemed.code);
    expect([fulfilCancelled.status, fulfilCancelled.body.code]).toEqual([409, 'voucher_cancelled']);
    // A cancelled voucher does not count against the per-customer limit; 300 points are left for none of it.
    const retry = await fx.redeem(s.customer.token, rewardId);
    expect([retry.status, retry.body.code]).toEqual([422, 'insufficient_points']);
    await fx.givePoints(s.tenant.id, s.programId, s.customer.id, [{ points: 100 }]);
    expect((await fx.redeem(s.customer.token, rewardId)).status).toBe(201);

    expect((await cancel(s.customer.token, redeemed.redemption_id)).status).toBe(403);
    expect((await cancel(s.staff, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('expires vouchers left unfulfilled past their validity: stock back, points not; then neither fulfil nor cancel', async () => {
    const s = await shop();
    const rewardId = await fx.reward(s.admin, { point_cost: 100, quantity_available: 2, voucher_valid_days: 1 });
    const lapsing = (await fx.redeem(s.customer.token, rewardId)).body;
    const kept = (await fx.redeem(s.customer.token, await fx.reward(s.admin, { point_cost: 100 }))).body;
    expect(kept.expires_at).toBeNull();
    await fx.inTenant(s.tenant.id, `UPDATE redemptions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      lapsing.redemption_id,
    ]);

    // Past its validity but not yet swept: refused as expired all the same, and left for the job.
    const early = await fulfil(s.staff, lapsing.code);
    expect([early.status, early.body.code]).toEqual([409, 'voucher_expired']);
    expect(await statusOf(s.tenant.id, lapsing.redemption_id)).toBe('pending');

    const expiry = new RedemptionExpiryService(t.app.get(TenantDatabase));
    expect(await expiry.expireRedemptionsOfTenant(s.tenant.id)).toBe(1);
    expect(await expiry.expireRedemptionsOfTenant(s.tenant.id)).toBe(0);
    expect(await statusOf(s.tenant.id, lapsing.redemption_id)).toBe('expired');
    expect(await statusOf(s.tenant.id, kept.redemption_id)).toBe('pending');
    expect(await stockOf(s.tenant.id, rewardId)).toBe(2);
    expect(await fx.ledgerOf(s.tenant.id, s.customer.id)).toMatchObject({ balance: 800, ledger: 800 });
    expect(await eventsOf(s.tenant.id, 'redemption.expired')).toEqual([
      { payload: expect.objectContaining({ redemption_id: lapsing.redemption_id, status: 'expired' }) },
    ]);
    for (const res of [await fulfil(s.staff, lapsing.code), await cancel(s.staff, lapsing.redemption_id)]) {
      expect([res.status, res.body.code]).toEqual([409, 'voucher_expired']);
    }
  });

  it('expires vouchers in batches across tenants, and the worker does it on its schedule', async () => {
    const a = await shop();
    const b = await shop();
    const make = async (s: Shop, count: number) => {
      const rewardId = await fx.reward(s.admin, { point_cost: 10, quantity_available: 100, voucher_valid_days: 1 });
      for (let i = 0; i < count; i++) expect((await fx.redeem(s.customer.token, rewardId)).status).toBe(201);
      await fx.inTenant(s.tenant.id, `UPDATE redemptions SET expires_at = now() - interval '1 second'`);
      return rewardId;
    };
    const rewardA = await make(a, 5);
    const rewardB = await make(b, 2);
    const expiry = new RedemptionExpiryService(t.app.get(TenantDatabase));
    expect(await expiry.expireRedemptionsOfTenant(a.tenant.id, new Date(), 2)).toBe(5);
    expect(await stockOf(a.tenant.id, rewardA)).toBe(100);

    process.env.REDEMPTION_EXPIRY_EVERY_MS = '200';
    let worker: INestApplicationContext | undefined;
    try {
      worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
      await worker.init();
      const deadline = Date.now() + 15_000;
      while ((await stockOf(b.tenant.id, rewardB)) !== 100 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await worker?.close();
      delete process.env.REDEMPTION_EXPIRY_EVERY_MS;
    }
    expect(await stockOf(b.tenant.id, rewardB)).toBe(100);
    const [{ expired }] = await fx.inTenant<Array<{ expired: number }>>(
      b.tenant.id,
      `SELECT count(*)::int AS expired FROM redemptions WHERE status = 'expired'`,
    );
    expect(expired).toBe(2);
  });
});
