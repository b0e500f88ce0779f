import Redis from 'ioredis';
import { redisOptionsFromUrl } from '../../src/common/redis/redis-options';
import { runInTenant } from '../../src/database/tenant-transaction';
import { periodStarts } from '../../src/modules/loyalty/activities/earning-context';
import { credit, lockAccount } from '../../src/modules/loyalty/ledger/ledger';
import { LeaderboardsService } from '../../src/modules/gamification/leaderboards.service';
import { startTestApp, TestApp } from '../support/test-app';
import { gamificationFixtures, Member } from './gamification-fixtures';

describe('leaderboards: weekly, monthly and all-time points per tenant', () => {
  let t: TestApp;
  let fx: ReturnType<typeof gamificationFixtures>;
  let redis: Redis;

  beforeAll(async () => {
    t = await startTestApp();
    fx = gamificationFixtures(t);
    redis = new Redis(redisOptionsFromUrl(process.env.REDIS_URL!));
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  /** Earns `points` for each member, in one purchase each (a rule gives 1 point per unit of amount). */
  async function earn(
    admin: string,
    tenantId: string,
    programId: string,
    points: Record<string, number>,
    who: Member[],
  ) {
    await fx.inTenant(
      tenantId,
      `INSERT INTO rules (tenant_id, program_id, name, rule_type, effect)
       SELECT $1, $2, 'per unit', 'purchase', '{"type":"points_per_unit","points":1,"per":1}'
        WHERE NOT EXISTS (SELECT 1 FROM rules WHERE tenant_id = $1)`,
      [tenantId, programId],
    );
    for (const member of who) {
      if (points[member.name]) await fx.recorded(admin, member.id, 'purchase', { amount: points[member.name] });
    }
  }

  const board = async (token: string, period: string, query = '') => {
    const res = await fx.get(token, `/api/leaderboards/${period}${query}`);
    expect(res.status).toBe(200);
    return res.body as {
      data: Array<{ rank: number; display_name: string; points: number; is_me: boolean }>;
      me: { rank: number | null; points: number; opted_out: boolean };
      starts_at: string | null;
      ends_at: string | null;
    };
  };

  it('ranks customers by points with shared ranks for ties, the caller’s rank and a top N', async () => {
    const { tenant, programId, admin } = await fx.community();
    const crowd = await fx.members(tenant, ['Ann', 'Bob', 'Cat', 'Dan']);
    const [ann, , cat, dan] = crowd;
    await earn(admin, tenant.id, programId, { Ann: 500, Bob: 300, Cat: 300, Dan: 100 }, crowd);

    for (const period of ['weekly', 'monthly', 'all-time', 'all_time']) {
      const top = await board(dan.token, period);
      // Tied customers share a rank; their order between themselves is not part of the contract.
      const rows = top.data.map((entry) => [entry.rank, entry.display_name, entry.points] as const);
      expect(rows.map(([rank, , points]) => [rank, points])).toEqual([
        [1, 500],
        [2, 300],
        [2, 300],
        [4, 100],
      ]);
      expect(rows.map(([, name]) => name)).toEqual([
        'Ann T.',
        expect.stringMatching(/^(Bob|Cat) T\.$/),
        expect.stringMatching(/^(Bob|Cat) T\.$/),
        'Dan T.',
      ]);
      expect(new Set(rows.slice(1, 3).map(([, name]) => name))).toEqual(new Set(['Bob T.', 'Cat T.']));
      expect(top.data[3].is_me).toBe(true);
      expect(top.me).toEqual({ rank: 4, points: 100, opted_out: false });
    }
    const topTwo = await board(cat.token, 'weekly', '?limit=2');
    expect(topTwo.data.map((entry) => entry.display_name)).toEqual([
      'Ann T.',
      expect.stringMatching(/^(Bob|Cat) T\.$/),
    ]);
    expect(topTwo.me).toEqual({ rank: 2, points: 300, opted_out: false });
    expect((await board(ann.token, 'all-time')).starts_at).toBeNull();

    const [newcomer] = await fx.members(tenant, ['Eve']);
    expect((await board(newcomer.token, 'weekly')).me).toEqual({ rank: null, points: 0, opted_out: false });
  });

  it('leaves out customers who opted out, before or after earning, and shows only customers', async () => {
    const { tenant, programId, admin } = await fx.community();
    const crowd = await fx.members(tenant, ['Ann', 'Bob', 'Cat']);
    const [ann, bob, cat] = crowd;
    await fx.inTenant(tenant.id, `UPDATE customers SET leaderboard_opt_out = true WHERE id = $1`, [ann.id]);
    await earn(admin, tenant.id, programId, { Ann: 900, Bob: 800, Cat: 100 }, crowd);

    let top = await board(cat.token, 'weekly');
    expect(top.data.map((entry) => [entry.rank, entry.display_name])).toEqual([
      [1, 'Bob T.'],
      [2, 'Cat T.'],
    ]);
    expect(top.me.rank).toBe(2);
    expect((await board(ann.token, 'weekly')).me).toMatchObject({ rank: null, opted_out: true });

    // Bob opts out after earning: gone at once, and Cat moves up.
    const optOut = await fx.patch(bob.token, '/api/profile', { leaderboard_opt_out: true });
    expect(optOut.status).toBe(200);
    top = await board(cat.token, 'all-time');
    expect(top.data.map((entry) => [entry.rank, entry.display_name])).toEqual([[1, 'Cat T.']]);
    expect(top.me).toEqual({ rank: 1, points: 100, opted_out: false });

    // Staff are users, never customers: they hold no place and cannot read the customer board.
    expect((await fx.get(admin, '/api/leaderboards/weekly')).status).toBe(403);
  });

  it('rolls weeks and months over at the tenant’s midnight', async () => {
    // Auckland's week starts on Sunday around noon UTC: a UTC week would split the points differently.
    const { tenant, programId, admin } = await fx.community('Pacific/Auckland');
    const [ann] = await fx.members(tenant, ['Ann']);
    const now = new Date();
    const starts = periodStarts(now, 'Pacific/Auckland');
    const minute = 60_000;
    const at = (instant: Date, points: number) =>
      runInTenant(fx.dataSource, tenant.id, async (m) => {
        const account = await lockAccount(m, tenant.id, ann.id, programId);
        await credit(m, account, [{ type: 'earn', points, reason: 'test' }], {
          now: instant,
          availableAt: null,
          expiresAt: null,
        });
      });
    const rows: Array<[Date, number]> = [
      [new Date(starts.month.getTime() - minute), 1], // the minute before this local month
      [new Date(starts.week.getTime() - minute), 10], // the minute before this local week
      [new Date(now.getTime() - 1000), 100], // just now
    ];
    for (const [instant, points] of rows) await at(instant, points);
    await t.app.get(LeaderboardsService).rebuildTenant(tenant.id, now);
    const since = (start: Date) => rows.filter(([instant]) => instant >= start).reduce((sum, [, p]) => sum + p, 0);

    const weekly = await board(ann.token, 'weekly');
    expect(weekly.me.points).toBe(since(starts.week));
    expect(weekly.me.points).not.toBe(111);
    expect(weekly.starts_at).toBe(starts.week.toISOString());
    expect(new Date(weekly.ends_at!).getTime() - starts.week.getTime()).toBeGreaterThanOrEqual(167 * 3600_000);
    const monthly = await board(ann.token, 'monthly');
    expect(monthly.starts_at).toBe(starts.month.toISOString());
    expect(monthly.me.points).toBe(since(starts.month));
    expect((await board(ann.token, 'all-time')).me.points).toBe(111);

    // Points earned through the API land in the tenant's current week.
    await fx.rule(tenant.id, programId, 'purchase', 5);
    await fx.recorded(admin, ann.id, 'purchase');
    expect((await board(ann.token, 'weekly')).me.points).toBe(since(starts.week) + 5);
  });

  it('refuses an unknown period with a 400 naming it', async () => {
    const { tenant } = await fx.community();
    const [ann] = await fx.members(tenant, ['Ann']);
    const res = await fx.get(ann.token, '/api/leaderboards/daily');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'period', message: expect.any(String) }]);
    expect((await fx.get(ann.token, '/api/leaderboards/weekly?limit=0')).status).toBe(400);
  });

  it('keeps each tenant’s boards apart', async () => {
    const a = await fx.community();
    const b = await fx.community();
    const [ann] = await fx.members(a.tenant, ['Ann']);
    const [bob] = await fx.members(b.tenant, ['Bob']);
    await earn(a.admin, a.tenant.id, a.programId, { Ann: 50 }, [ann]);
    expect((await board(bob.token, 'all-time')).data).toEqual([]);
    const keys = await redis.keys(`${process.env.QUEUE_PREFIX}:leaderboard:${b.tenant.id}:*`);
    expect(keys).toEqual([]);
  });
});
