import Redis from 'ioredis';
import { redisOptionsFromUrl } from '../../src/common/redis/redis-options';
import { LeaderboardIncrements } from '../../src/modules/gamification/leaderboard-increments';
import { deleteRedisKeys, isolateQueuePrefix } from '../support/test-app';

describe('leaderboard increments that take points back (refunds)', () => {
  const prefix = isolateQueuePrefix();
  const redis = new Redis(redisOptionsFromUrl(process.env.REDIS_URL!));
  const errors: unknown[] = [];
  const increments = new LeaderboardIncrements(redis, (error) => errors.push(error));
  const key = (name: string) => `${prefix}:leaderboard:test:${name}`;

  afterAll(async () => {
    await deleteRedisKeys(prefix);
    redis.disconnect();
  });
  afterEach(() => expect(errors).toEqual([]));

  it('lowers a member’s score, and removes a member who reaches 0 or below, leaving the others', async () => {
    const board = key('week');
    await redis.zadd(board, 100, 'ann', 40, 'bob', 30, 'cat');
    increments.add(board, 'ann', -25, 3600);
    increments.add(board, 'bob', -40, 3600);
    increments.add(board, 'cat', -50, 3600);
    await increments.flush();
    expect(await redis.zrange(board, 0, -1, 'WITHSCORES')).toEqual(['ann', '75']);
    expect(await redis.ttl(board)).toBeGreaterThan(3500);
  });

  it('adds no member at 0 when an earn and its refund meet in one flush', async () => {
    const board = key('month');
    await redis.zadd(board, 10, 'bob');
    increments.add(board, 'ann', 30, null);
    increments.add(board, 'ann', -30, null);
    increments.add(board, 'bob', 5, null);
    await increments.flush();
    expect(await redis.zrange(board, 0, -1, 'WITHSCORES')).toEqual(['bob', '15']);
  });

  it('leaves no key behind when the board to lower has expired', async () => {
    const board = key('old-week');
    increments.add(board, 'ann', -20, 3600);
    await increments.flush();
    expect(await redis.exists(board)).toBe(0);
  });
});
