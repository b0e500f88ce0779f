import Redis from 'ioredis';
import { RedisThrottlerStorage } from '../../src/common/rate-limit/redis-throttler.storage';
import { redisOptionsFromUrl } from '../../src/common/redis/redis-options';
import { deleteRedisKeys, isolateQueuePrefix } from '../support/test-app';

describe('RedisThrottlerStorage', () => {
  const prefix = isolateQueuePrefix();
  const replicas = [0, 1, 2].map(() => new Redis(redisOptionsFromUrl(process.env.REDIS_URL!)));
  const storages = replicas.map((redis) => new RedisThrottlerStorage(redis, prefix));

  afterAll(async () => {
    await deleteRedisKeys(prefix);
    for (const redis of replicas) redis.disconnect();
  });

  it('counts exactly across replicas and blocks once the limit is passed', async () => {
    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) => storages[i % 3].increment('tenant:a', 60_000, 50, 60_000, 'default')),
    );
    expect(results.map((result) => result.totalHits).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 90 }, (_, i) => i + 1),
    );
    expect(results.filter((result) => !result.isBlocked)).toHaveLength(50);
    const blocked = results.find((result) => result.isBlocked)!;
    expect(blocked.timeToBlockExpire).toBeGreaterThan(0);
    expect(blocked.timeToBlockExpire).toBeLessThanOrEqual(60);
  });

  it('keeps callers apart and starts a new window when the old one ends', async () => {
    await storages[0].increment('tenant:b', 200, 1, 200, 'api');
    expect((await storages[1].increment('tenant:b', 200, 1, 200, 'api')).isBlocked).toBe(true);
    expect((await storages[1].increment('tenant:c', 200, 1, 200, 'api')).isBlocked).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const fresh = await storages[2].increment('tenant:b', 200, 1, 200, 'api');
    expect(fresh).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
