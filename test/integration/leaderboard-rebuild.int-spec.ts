import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Job, Queue } from 'bullmq';
import Redis from 'ioredis';
import { GamificationJob, QueueName } from '../../src/common/queue/queues';
import { redisOptionsFromUrl } from '../../src/common/redis/redis-options';
import { WorkerModule } from '../../src/worker.module';
import { gamificationFixtures } from '../e2e/gamification-fixtures';
import { startTestApp, TestApp } from '../support/test-app';

async function finished(job: Job, ms = 20_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const state = await job.getState();
    if (state === 'completed' || state === 'failed' || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('leaderboards rebuilt from the ledger by the worker', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let redis: Redis;

  beforeAll(async () => {
    t = await startTestApp();
    redis = new Redis(redisOptionsFromUrl(process.env.REDIS_URL!));
  });
  afterAll(async () => {
    await worker?.close();
    redis?.disconnect();
    await t?.close();
  });

  /** Every leaderboard key of the tenant with its members and scores, as Redis holds them. */
  async function boardsOf(tenantId: string): Promise<Record<string, string[]>> {
    const keys = (await redis.keys(`${process.env.QUEUE_PREFIX}:leaderboard:${tenantId}:*`)).sort();
    const boards: Record<string, string[]> = {};
    for (const key of keys) boards[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    return boards;
  }

  it('restores identical boards after Redis loses them', async () => {
    const fx = gamificationFixtures(t);
    const { tenant, programId, admin } = await fx.community('Europe/London');
    await fx.inTenant(
      tenant.id,
      `INSERT INTO rules (tenant_id, program_id, name, rule_type, effect)
       VALUES ($1, $2, 'per unit', 'purchase', '{"type":"points_per_unit","points":1,"per":1}')`,
      [tenant.id, programId],
    );
    await fx.rule(tenant.id, programId, 'challenge_completed', 15);
    const crowd = await fx.members(tenant, ['Ann', 'Bob', 'Cat', 'Dan', 'Eve']);
    const [ann, bob, cat, dan, eve] = crowd;
    await fx.inTenant(tenant.id, `UPDATE customers SET leaderboard_opt_out = true WHERE id = $1`, [eve.id]);
    await fx.achievement(admin, { type: 'activity_count', activity_type: 'purchase', count: 2 }, { points: 25 });
    const challengeId = await fx.challenge(admin, {
      join_mode: 'automatic',
      goal: { type: 'activity_count', activity_type: 'purchase', count: 3 },
      points: 5,
    });
    const amounts: Array<[typeof ann, number]> = [
      [ann, 120],
      [bob, 80],
      [ann, 40],
      [cat, 80],
      [dan, 10],
      [eve, 999],
      [ann, 5],
      [bob, 1],
    ];
    for (const [member, amount] of amounts) await fx.recorded(admin, member.id, 'purchase', { amount });

    // Reading a board sends the increments this process has gathered (see LeaderboardIncrements).
    const read = await fx.get(dan.token, '/api/leaderboards/all-time');
    const challengeRead = await fx.get(dan.token, `/api/challenges/${challengeId}/leaderboard`);
    const before = await boardsOf(tenant.id);
    // The weekly, monthly and all-time boards and the challenge's, without the opted-out customer.
    expect(Object.keys(before)).toHaveLength(4);
    for (const members of Object.values(before)) expect(members).not.toContain(eve.id);
    const allTime = Object.entries(before).find(([key]) => key.endsWith(':all-time'))![1];
    // Ann: 165 from purchases, 25 for the badge, 15 + 5 for completing the challenge.
    expect(allTime).toContain(ann.id);
    expect(Number(allTime[allTime.indexOf(ann.id) + 1])).toBe(165 + 25 + 15 + 5);

    await redis.del(...Object.keys(before));
    expect(await boardsOf(tenant.id)).toEqual({});
    expect((await fx.get(dan.token, '/api/leaderboards/all-time')).body.data).toEqual([]);

    worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    await worker.init();
    const queue = worker.get<Queue>(getQueueToken(QueueName.Gamification), { strict: false });
    const job = await queue.add(GamificationJob.RebuildLeaderboards, {});
    expect(await finished(job)).toBe('completed');

    expect(await boardsOf(tenant.id)).toEqual(before);
    expect((await fx.get(dan.token, '/api/leaderboards/all-time')).body).toEqual(read.body);
    expect((await fx.get(dan.token, `/api/challenges/${challengeId}/leaderboard`)).body).toEqual(challengeRead.body);
  });
});
