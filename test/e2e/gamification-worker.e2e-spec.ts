import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { GamificationJob, QueueName } from '../../src/common/queue/queues';
import { WorkerModule } from '../../src/worker.module';
import { startTestApp, TestApp } from '../support/test-app';
import { gamificationFixtures } from './gamification-fixtures';

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('community challenges paid out by the worker', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let fx: ReturnType<typeof gamificationFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = gamificationFixtures(t);
    worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    await worker.init();
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
  });

  const paid = (tenantId: string) =>
    fx.inTenant<Array<{ customer_id: string; completed: boolean; completion_activity_id: string | null }>>(
      tenantId,
      `SELECT customer_id, completed_at IS NOT NULL AS completed, completion_activity_id
         FROM challenge_participants ORDER BY customer_id`,
    );

  it('pays every participant once the goal is reached, through the settlement job', async () => {
    const { tenant, programId, admin } = await fx.community();
    await fx.rule(tenant.id, programId, 'challenge_completed', 30);
    const crowd = await fx.members(tenant, ['Ann', 'Bob', 'Cat']);
    const id = await fx.challenge(admin, {
      kind: 'community',
      join_mode: 'automatic',
      goal: { type: 'activity_count', activity_type: 'check_in', count: 3 },
    });
    for (const member of crowd) await fx.recorded(admin, member.id, 'check_in');

    const rows = await eventually(
      () => paid(tenant.id),
      (result) => result.every((row) => row.completed && row.completion_activity_id !== null),
    );
    expect(rows.map((row) => row.completed)).toEqual([true, true, true]);
    for (const member of crowd) {
      expect(await fx.ledgerOf(tenant.id, member.id)).toMatchObject({ balance: 30, ledger: 30 });
    }
    expect(await fx.outbox(tenant.id, 'challenge.completed')).toHaveLength(3);
    const badge = await fx.get(crowd[0].token, `/api/challenges/${id}`);
    expect(badge.body).toMatchObject({ status: 'completed', completed_at: expect.any(String) });
  });

  it('pays participants whose settlement job was lost, on the scheduled sweep', async () => {
    const { tenant, admin } = await fx.community();
    const crowd = await fx.members(tenant, ['Ann', 'Bob']);
    const id = await fx.challenge(admin, {
      kind: 'community',
      goal: { type: 'points_earned', points: 1000 },
      points: 12,
    });
    for (const member of crowd) expect((await fx.post(member.token, `/api/challenges/${id}/join`)).status).toBe(201);
    // The goal was reached but the job that should pay the participants never ran.
    await fx.inTenant(tenant.id, `UPDATE challenges SET completed_at = now(), progress = 1000 WHERE id = $1`, [id]);

    const queue = worker.get<Queue>(getQueueToken(QueueName.Gamification), { strict: false });
    await queue.add(GamificationJob.SettleChallenges, {});
    const rows = await eventually(
      () => paid(tenant.id),
      (result) => result.every((row) => row.completed),
    );
    expect(rows.map((row) => row.completed)).toEqual([true, true]);
    for (const member of crowd) expect(await fx.ledgerOf(tenant.id, member.id)).toMatchObject({ balance: 12 });
  });
});
