import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/test-app';

/** The application's pg pool, behind TypeORM. */
const poolOf = (t: TestApp) => (t.app.get(DataSource).driver as unknown as { master: Pool }).master;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens `count` pooled connections at once, then lets them go idle. */
async function openConnections(t: TestApp, count: number): Promise<void> {
  const dataSource = t.app.get(DataSource);
  await Promise.all(Array.from({ length: count }, () => dataSource.query('SELECT pg_sleep(0.05)')));
}

describe('the database pool keeps idle connections for DATABASE_POOL_IDLE_TIMEOUT_MS', () => {
  it('closes them once that long has passed', async () => {
    const t = await startTestApp({ env: { DATABASE_POOL_IDLE_TIMEOUT_MS: '200' } });
    try {
      await openConnections(t, 3);
      expect(poolOf(t).totalCount).toBeGreaterThanOrEqual(3);
      await sleep(1000);
      expect(poolOf(t).totalCount).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('keeps them well past pg-pool’s own 10 s by default (a new connection is slow at first)', async () => {
    const t = await startTestApp({ env: { DATABASE_POOL_IDLE_TIMEOUT_MS: '' } });
    try {
      expect(poolOf(t).options.idleTimeoutMillis).toBe(300_000);
      await openConnections(t, 3);
      await sleep(1000);
      expect(poolOf(t).totalCount).toBeGreaterThanOrEqual(3);
    } finally {
      await t.close();
    }
  });
});
