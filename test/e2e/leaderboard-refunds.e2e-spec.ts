import fc from 'fast-check';
import Redis from 'ioredis';
import { redisOptionsFromUrl } from '../../src/common/redis/redis-options';
import { runInTenant } from '../../src/database/tenant-transaction';
import {
  LEADERBOARD_PERIODS,
  LeaderboardPeriod,
  leaderboardKey,
  periodBucket,
} from '../../src/modules/gamification/leaderboard-keys';
import { LeaderboardsService } from '../../src/modules/gamification/leaderboards.service';
import { periodStarts } from '../../src/modules/loyalty/activities/earning-context';
import { credit, debit, expireLots, lockAccount } from '../../src/modules/loyalty/ledger/ledger';
import { startTestApp, TestApp } from '../support/test-app';
import { gamificationFixtures, Member } from './gamification-fixtures';

const DAY = 86_400_000;

/** Each current board's members and scores: `{ weekly: { <customer id>: 120 }, ... }`. */
type Boards = Record<LeaderboardPeriod, Record<string, number>>;

describe('leaderboards: refunds take the purchase’s points back off the boards', () => {
  let t: TestApp;
  let fx: ReturnType<typeof gamificationFixtures>;
  let redis: Redis;
  let leaderboards: LeaderboardsService;

  beforeAll(async () => {
    t = await startTestApp();
    fx = gamificationFixtures(t);
    redis = new Redis(redisOptionsFromUrl(process.env.REDIS_URL!));
    leaderboards = t.app.get(LeaderboardsService);
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  /** A tenant (in UTC) whose purchases earn 1 point per unit of amount, with `names` as its customers. */
  async function shop(names: string[], options: { goodwill?: number } = {}) {
    const { tenant, programId, admin } = await fx.community();
    const [{ id: ruleId }] = await fx.inTenant<Array<{ id: string }>>(
      tenant.id,
      `INSERT INTO rules (tenant_id, program_id, name, rule_type, effect)
       VALUES ($1, $2, 'per unit', 'purchase', '{"type":"points_per_unit","points":1,"per":1}') RETURNING id`,
      [tenant.id, programId],
    );
    if (options.goodwill) await fx.rule(tenant.id, programId, 'refund', options.goodwill);
    const crowd = await fx.members(tenant, names);
    return { tenantId: tenant.id, programId, admin, ruleId, crowd };
  }

  const purchase = async (admin: string, member: Member, amount: number) =>
    (await fx.recorded(admin, member.id, 'purchase', { amount })).activity_id;

  const refund = (admin: string, member: Member, purchaseId: string, amount?: number) =>
    fx.activity(admin, member.id, 'refund', { refund_of: purchaseId, ...(amount === undefined ? {} : { amount }) });

  const board = async (member: Member, period: string) => {
    const res = await fx.get(member.token, `/api/leaderboards/${period}?limit=100`);
    expect(res.status).toBe(200);
    return res.body as {
      data: Array<{ rank: number; display_name: string; points: number }>;
      me: { rank: number | null; points: number; opted_out: boolean };
    };
  };

  const keyOf = (tenantId: string, bucket: string) => leaderboardKey(process.env.QUEUE_PREFIX!, tenantId, bucket);

  async function scoresAt(key: string): Promise<Record<string, number>> {
    const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
    const scores: Record<string, number> = {};
    for (let index = 0; index + 1 < flat.length; index += 2) scores[flat[index]] = Number(flat[index + 1]);
    return scores;
  }

  /**
   * The tenant's current boards as Redis holds them, once this process has sent the increments it
   * gathered (reading a board through the API flushes them first, see LeaderboardIncrements).
   */
  async function liveBoards(tenantId: string, reader: Member): Promise<Boards> {
    await board(reader, 'weekly');
    return currentBoards(tenantId);
  }

  async function currentBoards(tenantId: string): Promise<Boards> {
    const now = new Date();
    const boards = {} as Boards;
    for (const period of LEADERBOARD_PERIODS) {
      boards[period] = await scoresAt(keyOf(tenantId, periodBucket(period, now, 'UTC')));
    }
    return boards;
  }

  async function rebuiltBoards(tenantId: string): Promise<Boards> {
    await leaderboards.rebuildTenant(tenantId);
    return currentBoards(tenantId);
  }

  /**
   * A purchase earned at `at` (in the past), written as the activity path writes it: the activity,
   * its rule's earn row, and the points on the boards of the week and month of `at`, as the
   * activity listener would have put them there then.
   */
  async function purchasedAt(
    shopping: { tenantId: string; programId: string; ruleId: string },
    member: Member,
    amount: number,
    at: Date,
  ): Promise<string> {
    const { tenantId, programId, ruleId } = shopping;
    return runInTenant(fx.dataSource, tenantId, async (m) => {
      const account = await lockAccount(m, tenantId, member.id, programId);
      const [{ id }] = (await m.query(
        `INSERT INTO activities (tenant_id, customer_id, program_id, type, amount, currency, occurred_at, points_awarded)
         VALUES ($1, $2, $3, 'purchase', $4, 'GBP', $5, $4) RETURNING id`,
        [tenantId, member.id, programId, amount, at],
      )) as Array<{ id: string }>;
      await credit(m, account, [{ type: 'earn', points: amount, ruleId, activityId: id }], {
        now: at,
        availableAt: null,
        expiresAt: null,
      });
      await leaderboards.addEarned(m, tenantId, member.id, [{ points: amount, at }]);
      return id;
    });
  }

  /** Spends `points` of the member's balance, as a redemption does. */
  const redeem = (tenantId: string, programId: string, member: Member, points: number) =>
    runInTenant(fx.dataSource, tenantId, async (m) => {
      await debit(m, await lockAccount(m, tenantId, member.id, programId), { type: 'redeem', points });
    });

  /** Writes off all the member's spendable points, as the expiry job does once they expire. */
  const expireAll = (tenantId: string, programId: string, member: Member) =>
    runInTenant(fx.dataSource, tenantId, async (m) => {
      const account = await lockAccount(m, tenantId, member.id, programId);
      const now = new Date();
      await m.query(`UPDATE point_lots SET expires_at = $3 WHERE tenant_id = $1 AND account_id = $2`, [
        tenantId,
        account.id,
        new Date(now.getTime() - 1000),
      ]);
      await expireLots(m, account, now);
    });

  it('lowers the score by the refunded share on every board, removes a full refund, and others move up', async () => {
    const { tenantId, admin, crowd } = await shop(['Ann', 'Bob', 'Cat']);
    const [ann, bob, cat] = crowd;
    const purchases = {
      ann: await purchase(admin, ann, 500),
      bob: await purchase(admin, bob, 300),
      cat: await purchase(admin, cat, 200),
    };
    for (const period of LEADERBOARD_PERIODS) {
      expect((await board(ann, period)).me).toEqual({ rank: 1, points: 500, opted_out: false });
      expect((await board(cat, period)).me).toEqual({ rank: 3, points: 200, opted_out: false });
    }

    const partial = await refund(admin, ann, purchases.ann, 300);
    expect(partial.status).toBe(201);
    expect(partial.body.points_awarded).toBe(-300);
    for (const period of LEADERBOARD_PERIODS) {
      const top = await board(ann, period);
      expect(top.data.map((entry) => [entry.rank, entry.points])).toEqual([
        [1, 300],
        [2, 200],
        [2, 200],
      ]);
      expect(top.me).toEqual({ rank: 2, points: 200, opted_out: false });
      expect((await board(bob, period)).me.rank).toBe(1);
    }

    // The whole of Bob's purchase refunded: he earned nothing, so he is on no board at all.
    expect((await refund(admin, bob, purchases.bob)).status).toBe(201);
    const live = await liveBoards(tenantId, cat);
    for (const period of LEADERBOARD_PERIODS) {
      expect(live[period]).toEqual({ [ann.id]: 200, [cat.id]: 200 });
      expect((await board(bob, period)).me).toEqual({ rank: null, points: 0, opted_out: false });
      expect((await board(cat, period)).me).toEqual({ rank: 1, points: 200, opted_out: false });
    }
    expect(await rebuiltBoards(tenantId)).toEqual(live);
  });

  it('takes back points already spent too: the boards count points earned, not points held', async () => {
    const { tenantId, programId, admin, crowd } = await shop(['Ann', 'Bob']);
    const [ann, bob] = crowd;
    const annPurchase = await purchase(admin, ann, 400);
    await purchase(admin, bob, 100);
    await redeem(tenantId, programId, ann, 350);

    const partial = await refund(admin, ann, annPurchase, 200);
    expect(partial.body).toMatchObject({ points_awarded: -50, shortfall: 150 });
    for (const period of LEADERBOARD_PERIODS) expect((await board(ann, period)).me.points).toBe(200);
    const rest = await refund(admin, ann, annPurchase);
    expect(rest.body).toMatchObject({ points_awarded: 0, shortfall: 200 });

    const live = await liveBoards(tenantId, bob);
    for (const period of LEADERBOARD_PERIODS) expect(live[period]).toEqual({ [bob.id]: 100 });
    expect(await rebuiltBoards(tenantId)).toEqual(live);
  });

  it('takes a refund off the week and month the purchase counted in, not the refund’s', async () => {
    const shopping = await shop(['Ann', 'Bob']);
    const { tenantId, admin, crowd } = shopping;
    const [ann, bob] = crowd;
    const now = new Date();
    const lastWeek = new Date(periodStarts(now, 'UTC').week.getTime() - DAY);
    const longAgo = new Date(now.getTime() - 60 * DAY);
    const bucket = (period: LeaderboardPeriod, at: Date) => keyOf(tenantId, periodBucket(period, at, 'UTC'));
    const sameMonth = periodBucket('monthly', lastWeek, 'UTC') === periodBucket('monthly', now, 'UTC');

    const annLastWeek = await purchasedAt(shopping, ann, 100, lastWeek);
    await purchase(admin, ann, 50);
    const bobLongAgo = await purchasedAt(shopping, bob, 70, longAgo);
    // Bob's week of two months ago is gone from Redis, as it would be 35 days after its last write.
    await board(ann, 'weekly');
    await redis.del(bucket('weekly', longAgo));
    expect((await board(ann, 'monthly')).me.points).toBe(sameMonth ? 150 : 50);

    expect((await refund(admin, ann, annLastWeek, 40)).status).toBe(201);
    expect((await refund(admin, bob, bobLongAgo, 30)).status).toBe(201);

    const live = await liveBoards(tenantId, ann);
    expect(live.weekly).toEqual({ [ann.id]: 50 });
    expect(live.monthly).toEqual({ [ann.id]: sameMonth ? 110 : 50 });
    expect(live['all-time']).toEqual({ [ann.id]: 110, [bob.id]: 40 });
    expect(await scoresAt(bucket('weekly', lastWeek))).toEqual({ [ann.id]: 60 });
    // Bob's months-old purchase comes off that month's board, and his expired week is not recreated.
    expect(await scoresAt(bucket('monthly', longAgo))).toEqual({ [bob.id]: 40 });
    expect(await redis.exists(bucket('weekly', longAgo))).toBe(0);
    expect(await rebuiltBoards(tenantId)).toEqual(live);
  });

  it('changes nothing for a customer who opted out, before or after earning', async () => {
    const { tenantId, admin, crowd } = await shop(['Ann', 'Bob', 'Cat']);
    const [ann, bob, cat] = crowd;
    await fx.inTenant(tenantId, `UPDATE customers SET leaderboard_opt_out = true WHERE id = $1`, [ann.id]);
    const purchases = {
      ann: await purchase(admin, ann, 100),
      bob: await purchase(admin, bob, 200),
      cat: await purchase(admin, cat, 50),
    };
    expect((await fx.patch(bob.token, '/api/profile', { leaderboard_opt_out: true })).status).toBe(200);
    const before = await liveBoards(tenantId, cat);
    expect(before['all-time']).toEqual({ [bob.id]: 200, [cat.id]: 50 });

    expect((await refund(admin, ann, purchases.ann)).status).toBe(201);
    expect((await refund(admin, bob, purchases.bob, 150)).status).toBe(201);
    expect(await liveBoards(tenantId, cat)).toEqual(before);
    expect((await board(bob, 'weekly')).me).toMatchObject({ rank: null, opted_out: true });
    expect((await board(cat, 'weekly')).data.map((entry) => [entry.rank, entry.points])).toEqual([[1, 50]]);
  });

  it('changes no board when the refund is refused', async () => {
    const { tenantId, admin, crowd } = await shop(['Ann', 'Bob']);
    const [ann, bob] = crowd;
    const annPurchase = await purchase(admin, ann, 100);
    await purchase(admin, bob, 80);
    const before = await liveBoards(tenantId, bob);
    expect(before['all-time']).toEqual({ [ann.id]: 100, [bob.id]: 80 });

    const tooMuch = await refund(admin, ann, annPurchase, 101);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('refund_exceeds_purchase');
    expect((await refund(admin, bob, annPurchase)).status).toBe(404);
    expect(await liveBoards(tenantId, bob)).toEqual(before);

    // Refunded in full, then once more: the second refund is refused and takes nothing further.
    expect((await refund(admin, ann, annPurchase)).status).toBe(201);
    expect((await refund(admin, ann, annPurchase, 1)).status).toBe(422);
    const after = await liveBoards(tenantId, bob);
    for (const period of LEADERBOARD_PERIODS) expect(after[period]).toEqual({ [bob.id]: 80 });
  });

  it('is no progress towards a challenge or a badge', async () => {
    const { tenantId, admin, crowd } = await shop(['Ann']);
    const [ann] = crowd;
    const challengeId = await fx.challenge(admin, {
      join_mode: 'automatic',
      goal: { type: 'activity_count', activity_type: 'refund', count: 1 },
      points: 25,
    });
    await fx.achievement(admin, { type: 'activity_count', activity_type: 'refund', count: 1 }, { points: 10 });
    const annPurchase = await purchase(admin, ann, 100);
    expect((await refund(admin, ann, annPurchase, 60)).status).toBe(201);

    const progress = await fx.inTenant<unknown[]>(
      tenantId,
      `SELECT 1 FROM challenge_participants WHERE challenge_id = $1`,
      [challengeId],
    );
    expect(progress).toEqual([]);
    expect(await fx.inTenant<unknown[]>(tenantId, `SELECT 1 FROM customer_achievements`)).toEqual([]);
    expect((await board(ann, 'all-time')).me.points).toBe(40);
  });

  type Operation =
    | { kind: 'purchase'; member: number; amount: number; daysAgo: number }
    | { kind: 'refund'; member: number; pick: number; share: number | null }
    | { kind: 'redeem'; member: number; share: number }
    | { kind: 'expire'; member: number };

  const member = fc.integer({ min: 0, max: 2 });
  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({
      kind: fc.constant('purchase' as const),
      member,
      amount: fc.integer({ min: 1, max: 500 }),
      daysAgo: fc.constantFrom(0, 0, 0, 8, 40),
    }),
    fc.record({
      kind: fc.constant('refund' as const),
      member,
      pick: fc.nat(),
      // A share of what is still refundable, or (null) all of it.
      share: fc.option(fc.double({ min: 0.01, max: 1, noNaN: true }), { nil: null }),
    }),
    fc.record({ kind: fc.constant('redeem' as const), member, share: fc.double({ min: 0.1, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('expire' as const), member }),
  );

  it('builds the same boards live as the rebuild does from the ledger, whatever mix of purchases, refunds, redemptions and expiry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 12 }),
        fc.constantFrom(0, 3),
        async (operations, goodwill) => {
          const shopping = await shop(['Ann', 'Bob', 'Cat'], { goodwill });
          const { tenantId, programId, admin, crowd } = shopping;
          const now = new Date();
          const purchases: Array<{ id: string; member: number; amount: number; at: Date; refunded: number }> = [];
          const goodwillOf = [0, 0, 0];

          for (const op of operations) {
            const who = crowd[op.member];
            if (op.kind === 'purchase') {
              const at = new Date(Date.now() - op.daysAgo * DAY);
              const id =
                op.daysAgo === 0
                  ? await purchase(admin, who, op.amount)
                  : await purchasedAt(shopping, who, op.amount, at);
              purchases.push({ id, member: op.member, amount: op.amount, at, refunded: 0 });
            } else if (op.kind === 'refund') {
              const own = purchases.filter((entry) => entry.member === op.member);
              if (own.length === 0) continue;
              const target = own[op.pick % own.length];
              const refundable = target.amount - target.refunded;
              const amount = op.share === null ? undefined : Math.max(1, Math.floor(refundable * op.share));
              const res = await refund(admin, who, target.id, amount);
              if (refundable === 0) {
                expect(res.status).toBe(422);
                continue;
              }
              expect(res.status).toBe(201);
              target.refunded += amount ?? refundable;
              goodwillOf[op.member] += goodwill;
            } else if (op.kind === 'redeem') {
              const { balance } = await fx.ledgerOf(tenantId, who.id);
              const points = Math.floor(balance * op.share);
              if (points > 0) await redeem(tenantId, programId, who, points);
            } else {
              await expireAll(tenantId, programId, who);
            }
          }

          // What each board should hold: every purchase's unrefunded points (1 per unit) in the
          // buckets of when it earned, and refund rules' points now; spending and expiry count not.
          const expected = {} as Boards;
          for (const period of LEADERBOARD_PERIODS) {
            const current = periodBucket(period, now, 'UTC');
            const scores: Record<string, number> = {};
            crowd.forEach((customer, index) => {
              const earned =
                goodwillOf[index] +
                purchases
                  .filter((entry) => entry.member === index && periodBucket(period, entry.at, 'UTC') === current)
                  .reduce((sum, entry) => sum + entry.amount - entry.refunded, 0);
              if (earned > 0) scores[customer.id] = earned;
            });
            expected[period] = scores;
          }
          const live = await liveBoards(tenantId, crowd[0]);
          expect(live).toEqual(expected);
          expect(await rebuiltBoards(tenantId)).toEqual(live);
        },
      ),
      { numRuns: 40 },
    );
  }, 300_000);
});
