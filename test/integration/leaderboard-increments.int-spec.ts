import Redis from 'ioredis';
import { redisOptionsFromUrl } from '../../src/common/redis/redis-options';
import { INCREMENTS_FLUSH_MS, LeaderboardIncrements } from '../../src/modules/gamification/leaderboard-increments';
import { deleteRedisKeys, isolateQueuePrefix } from '../support/test-app';

describe('leaderboard increments gathered into one pipeline', () => {
  const prefix = isolateQueuePrefix();
  const redis = new Redis(redisOptionsFromUrl(process.env.REDIS_URL!));
  const errors: unknown[] = [];
  const increments = new LeaderboardIncrements(redis, (error) => errors.push(error));
  const key = (name: string) => `${prefix}:leaderboard:test:${name}`;

  afterAll(async () => {
    await deleteRedisKeys(prefix);
    redis.disconnect();
  });

  it('sums one member’s increments, sets each board’s expiry, and sends them on flush', async () => {
    const [week, ever] = [key('week'), key('ever')];
    increments.add(week, 'ann', 10, 3600);
    increments.add(week, 'ann', 5, 3600);
    increments.add(week, 'bob', 7, 3600);
    increments.add(ever, 'ann', 10, null);
    await increments.flush();
    expect(await redis.zrange(week, 0, -1, 'WITHSCORES')).toEqual(['bob', '7', 'ann', '15']);
    expect(await redis.zscore(ever, 'ann')).toBe('10');
    expect(await redis.ttl(week)).toBeGreaterThan(3500);
    expect(await redis.ttl(ever)).toBe(-1);
    expect(errors).toEqual([]);
  });

  it('adds to what the board already holds, and sends on its own within the flush interval', async () => {
    const board = key('month');
    await redis.zadd(board, 100, 'ann');
    increments.add(board, 'ann', 1, null);
    expect(await redis.zscore(board, 'ann')).toBe('100');
    const deadline = Date.now() + 20 * INCREMENTS_FLUSH_MS;
    while ((await redis.zscore(board, 'ann')) === '100' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, INCREMENTS_FLUSH_MS));
    }
    expect(await redis.zscore(board, 'ann')).toBe('101');
  });

  it('loses no increment under many concurrent adds and flushes', async () => {
    const board = key('busy');
    await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        increments.add(board, `member-${i % 7}`, 1 + (i % 3), null);
        if (i % 50 === 0) await increments.flush();
      }),
    );
    await increments.flush();
    const scores = await redis.zrange(board, 0, -1, 'WITHSCORES');
    let total = 0;
    for (let i = 1; i < scores.length; i += 2) total += Number(scores[i]);
    expect(total).toBe(Array.from({ length: 500 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b));
    expect(scores).toHaveLength(14);
  });

  describe('that take points back (refunds)', () => {
    it('lower a member’s score, and remove a member who reaches 0 or below, leaving the others', async () => {
      const board = key('lowered-week');
      await redis.zadd(board, 100, 'ann', 40, 'bob', 30, 'cat');
      increments.add(board, 'ann', -25, 3600);
      increments.add(board, 'bob', -40, 3600);
      increments.add(board, 'cat', -50, 3600);
      await increments.flush();
      expect(await redis.zrange(board, 0, -1, 'WITHSCORES')).toEqual(['ann', '75']);
      expect(await redis.ttl(board)).toBeGreaterThan(3500);
      expect(errors).toEqual([]);
    });

    it('add no member at 0 when an earn and its refund meet in one flush', async () => {
      const board = key('lowered-month');
      await redis.zadd(board, 10, 'bob');
      increments.add(board, 'ann', 30, null);
      increments.add(board, 'ann', -30, null);
      increments.add(board, 'bob', 5, null);
      await increments.flush();
      expect(await redis.zrange(board, 0, -1, 'WITHSCORES')).toEqual(['bob', '15']);
      expect(errors).toEqual([]);
    });

    it('leave no key behind when the board to lower has expired', async () => {
      const board = key('old-week');
      increments.add(board, 'ann', -20, 3600);
      await increments.flush();
      expect(await redis.exists(board)).toBe(0);
      expect(errors).toEqual([]);
    });
  });

  it('reports a failed write instead of throwing', async () => {
    const board = key('not-a-set');
    await redis.set(board, 'a string');
    increments.add(board, 'ann', 1, null);
    await increments.flush();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/WRONGTYPE/);
  });
});
