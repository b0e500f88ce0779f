import { ExpiringCache } from './expiring-cache';

describe('ExpiringCache', () => {
  it('forgets an entry once its time is up, and on request', () => {
    let now = 1_000;
    const cache = new ExpiringCache<string, number>(30_000, 10, () => now);
    cache.set('a', 1);
    now += 29_999;
    expect(cache.get('a')).toBe(1);
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 2);
    cache.delete('b');
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const cache = new ExpiringCache<number, number>(60_000, 3);
    for (const key of [1, 2, 3, 4]) cache.set(key, key * 10);
    expect([1, 2, 3, 4].map((key) => cache.get(key))).toEqual([undefined, 20, 30, 40]);
  });
});
