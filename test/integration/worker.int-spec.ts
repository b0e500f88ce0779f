import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { MaintenanceJob, QueueName } from '../../src/common/queue/queues';
import { createDataSource } from '../../src/database/data-source';
import { runInTenant } from '../../src/database/tenant-transaction';
import { WorkerModule } from '../../src/worker.module';
import { factories } from '../support/factories';
import { deleteRedisKeys, isolateQueuePrefix } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, ms = 15000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('worker process', () => {
  let database: TestDatabase;
  let prefix: string;
  let observer: DataSource;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    database = await createTestDatabase();
    prefix = isolateQueuePrefix();
    process.env.IDEMPOTENCY_PURGE_EVERY_MS = '300';
    observer = await createDataSource({ url: database.appUrl, poolSize: 2 }).initialize();
  });

  afterAll(async () => {
    await worker?.close();
    await observer?.destroy();
    await database?.drop();
    await deleteRedisKeys(prefix);
    delete process.env.IDEMPOTENCY_PURGE_EVERY_MS;
  });

  it('purges expired idempotency keys on its schedule, in every tenant, and keeps live ones', async () => {
    const make = factories(observer);
    const [a, b] = [await make.tenant(), await make.tenant()];
    const past = new Date(Date.now() - 60_000);
    await make.idempotencyKey(a.id, { key: 'expired-a', expiresAt: past });
    await make.idempotencyKey(b.id, { key: 'expired-b', expiresAt: past });
    await make.idempotencyKey(a.id, { key: 'live-a' });

    worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    await worker.init();

    const keysOf = (tenantId: string) =>
      runInTenant(observer, tenantId, (m) => m.query(`SELECT key FROM idempotency_keys ORDER BY key`)) as Promise<
        Array<{ key: string }>
      >;
    const remainingA = await eventually(
      () => keysOf(a.id),
      (rows) => rows.length === 1,
    );
    expect(remainingA).toEqual([{ key: 'live-a' }]);
    // The purge goes tenant by tenant: b may come a moment after a.
    expect(
      await eventually(
        () => keysOf(b.id),
        (rows) => rows.length === 0,
      ),
    ).toEqual([]);

    const queue = worker.get<Queue>(getQueueToken(QueueName.Maintenance), { strict: false });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain(MaintenanceJob.PurgeIdempotencyKeys);
    expect(queue.opts.prefix).toBe(prefix);
  });
});
