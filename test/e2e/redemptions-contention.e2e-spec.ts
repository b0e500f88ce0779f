import { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { rewardFixtures, Shopper } from './rewards-fixtures';

/**
 * Redemptions fired in parallel over real HTTP at a listening server: the stock, the balances and
 * the per-customer limits must come out exact, whatever order PostgreSQL applies them in.
 */
describe('redemptions under contention', () => {
  let t: TestApp;
  let fx: ReturnType<typeof rewardFixtures>;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp();
    fx = rewardFixtures(t);
    // A listening socket: supertest would otherwise bind the server once per request.
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => t?.close());

  const redeemAll = (shoppers: Shopper[], rewardId: string) =>
    Promise.all(
      shoppers.map((shopper) =>
        request(url).post(`/api/rewards/${rewardId}/redeem`).set(fx.bearer(shopper.token)).send({}),
      ),
    );

  const outcomes = (responses: Array<{ status: number; body: { code?: string } }>) => {
    const counts: Record<string, number> = {};
    for (const res of responses) {
      const key = res.status === 201 ? '201' : `${res.status} ${res.body.code}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  };

  /** Per account: balance, ledger sum and spendable lots, which must all agree. */
  const accounts = (tenantId: string) =>
    fx.inTenant<Array<{ customer_id: string; balance: number; ledger: number; lots: number }>>(
      tenantId,
      `SELECT a.customer_id, a.balance::int AS balance,
              (SELECT COALESCE(sum(points), 0) FROM point_transactions t WHERE t.account_id = a.id)::int AS ledger,
              (SELECT COALESCE(sum(remaining), 0) FROM point_lots l WHERE l.account_id = a.id AND NOT l.pending)::int AS lots
         FROM loyalty_accounts a`,
    );

  const redemptions = (tenantId: string, rewardId: string) =>
    fx.inTenant<Array<{ customer_id: string; points_used: number; from_lots: number }>>(
      tenantId,
      `SELECT d.customer_id, d.points_used,
              (SELECT sum(points)::int FROM redemption_lots x WHERE x.redemption_id = d.id) AS from_lots
         FROM redemptions d WHERE d.reward_id = $1`,
      [rewardId],
    );

  const stockOf = async (tenantId: string, rewardId: string) =>
    (
      await fx.inTenant<Array<{ stock: number }>>(
        tenantId,
        `SELECT quantity_available AS stock FROM rewards WHERE id = $1`,
        [rewardId],
      )
    )[0].stock;

  it('500 customers at once for a reward with 50 in stock: exactly 50 vouchers, the rest out_of_stock', async () => {
    const { tenant, programId } = await fx.tenantWithProgram();
    const admin = await fx.staffToken(tenant, 'admin');
    const shoppers = await fx.shoppers(tenant, 500);
    for (let i = 0; i < shoppers.length; i += 10) {
      await Promise.all(
        shoppers.slice(i, i + 10).map((shopper) =>
          fx.givePoints(tenant.id, programId, shopper.id, [
            { points: 150, expiresInDays: 10 },
            { points: 850, expiresInDays: null },
          ]),
        ),
      );
    }
    const rewardId = await fx.reward(admin, { point_cost: 200, quantity_available: 50 });

    const responses = await redeemAll(shoppers, rewardId);

    expect(outcomes(responses)).toEqual({ '201': 50, '422 out_of_stock': 450 });
    expect(await stockOf(tenant.id, rewardId)).toBe(0);
    const made = await redemptions(tenant.id, rewardId);
    expect(made).toHaveLength(50);
    expect(made.every((row) => row.points_used === 200 && row.from_lots === 200)).toBe(true);
    const winners = new Set(made.map((row) => row.customer_id));
    const winnersByResponse = shoppers.filter((_, i) => responses[i].status === 201).map((shopper) => shopper.id);
    expect(new Set(winnersByResponse)).toEqual(winners);
    const codes = new Set(responses.filter((res) => res.status === 201).map((res) => res.body.code));
    expect(codes.size).toBe(50);
    for (const account of await accounts(tenant.id)) {
      const expected = winners.has(account.customer_id) ? 800 : 1000;
      expect(account).toEqual({
        customer_id: account.customer_id,
        balance: expected,
        ledger: expected,
        lots: expected,
      });
    }
  });

  it('100 redemptions at once from one customer who can afford 10: exactly 10, the rest insufficient_points', async () => {
    const { tenant, programId } = await fx.tenantWithProgram();
    const admin = await fx.staffToken(tenant, 'admin');
    const [shopper] = await fx.shoppers(tenant, 1);
    // 1000 points in lots of different expiry; the reward costs 100: ten redemptions, to the point.
    await fx.givePoints(tenant.id, programId, shopper.id, [
      { points: 250, expiresInDays: 3 },
      { points: 250, expiresInDays: 30 },
      { points: 250, expiresInDays: 300 },
      { points: 250, expiresInDays: null },
    ]);
    const rewardId = await fx.reward(admin, { point_cost: 100, quantity_available: 1000 });

    const responses = await redeemAll(Array(100).fill(shopper), rewardId);

    expect(outcomes(responses)).toEqual({ '201': 10, '422 insufficient_points': 90 });
    const balances = responses.filter((res) => res.status === 201).map((res) => res.body.balance);
    expect(balances.sort((x, y) => y - x)).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
    expect(await stockOf(tenant.id, rewardId)).toBe(990);
    expect(await redemptions(tenant.id, rewardId)).toHaveLength(10);
    expect(await accounts(tenant.id)).toEqual([{ customer_id: shopper.id, balance: 0, ledger: 0, lots: 0 }]);
  });

  it('100 redemptions at once from one customer at a reward limited to 3 each: exactly 3, the rest limit_reached', async () => {
    const { tenant, programId } = await fx.tenantWithProgram();
    const admin = await fx.staffToken(tenant, 'admin');
    const [shopper] = await fx.shoppers(tenant, 1);
    await fx.givePoints(tenant.id, programId, shopper.id, [{ points: 10_000 }]);
    const rewardId = await fx.reward(admin, { point_cost: 10, per_customer_limit: 3 });

    const responses = await redeemAll(Array(100).fill(shopper), rewardId);

    expect(outcomes(responses)).toEqual({ '201': 3, '422 limit_reached': 97 });
    expect(await accounts(tenant.id)).toEqual([
      { customer_id: shopper.id, balance: 9_970, ledger: 9_970, lots: 9_970 },
    ]);
  });
});
