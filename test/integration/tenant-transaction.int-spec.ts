import { DataSource, QueryFailedError } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { queryPrepared } from '../../src/database/prepared';
import { runInTenant } from '../../src/database/tenant-transaction';
import { factories } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** The tenant transaction's one-message opening, its advisory lock, and prepared statements. */
describe('tenant transactions', () => {
  let database: TestDatabase;
  let app: DataSource;
  let make: ReturnType<typeof factories>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createDataSource({ url: database.appUrl, poolSize: 4 }).initialize();
    make = factories(app);
  });

  afterAll(async () => {
    await app?.destroy();
    await database?.drop();
  });

  it('opens with the tenant set and, when asked, JIT off, for that transaction only', async () => {
    const tenant = await make.tenant();
    const [inside] = await runInTenant(
      app,
      tenant.id,
      (m) =>
        m.query(
          `SELECT current_setting('app.tenant_id') AS tenant, current_setting('jit') AS jit, now() = statement_timestamp() AS first`,
        ),
      { noJit: true },
    );
    expect(inside).toEqual({ tenant: tenant.id, jit: 'off', first: false });
    // A later transaction on the pooled connections starts clean.
    const [after] = await app.query(`SELECT current_setting('app.tenant_id', true) AS tenant`);
    expect(after.tenant ?? '').toBe('');
  });

  it('takes the advisory lock before the work reads anything: same key, one after the other', async () => {
    const tenant = await make.tenant();
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    const first = runInTenant(
      app,
      tenant.id,
      async () => {
        order.push('first in');
        await firstHolds;
        order.push('first out');
      },
      { advisoryLock: [7, 42] },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = runInTenant(app, tenant.id, async () => void order.push('second in'), { advisoryLock: [7, 42] });
    const other = runInTenant(app, tenant.id, async () => void order.push('other key in'), { advisoryLock: [7, 43] });
    await other;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(order).toEqual(['first in', 'other key in']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'other key in', 'first out', 'second in']);
  });

  it('refuses a tenant that is not a uuid and lock keys that are not 32-bit integers, before any SQL', async () => {
    const tenant = await make.tenant();
    await expect(runInTenant(app, `x'; DROP TABLE tenants; --`, async () => 1)).rejects.toThrow(/tenant uuid/);
    await expect(
      runInTenant(app, tenant.id, async () => 1, { advisoryLock: [2 ** 31, 0] as [number, number] }),
    ).rejects.toThrow(/32-bit/);
    await expect(
      runInTenant(app, tenant.id, async () => 1, { advisoryLock: [1.5, 0] as [number, number] }),
    ).rejects.toThrow(/32-bit/);
  });

  it('prepares a statement once per connection and reports its failures as QueryFailedError', async () => {
    const tenant = await make.tenant();
    const sql = `SELECT $1::int + 1 AS next`;
    const prepared = await runInTenant(app, tenant.id, async (m) => {
      const answers = [
        await queryPrepared<{ next: number }>(m, sql, [1]),
        await queryPrepared<{ next: number }>(m, sql, [41]),
      ];
      const statements = (await m.query(
        `SELECT count(*)::int AS count FROM pg_prepared_statements WHERE statement = $1`,
        [sql],
      )) as Array<{ count: number }>;
      return { answers, statements: statements[0].count };
    });
    expect(prepared).toEqual({ answers: [[{ next: 2 }], [{ next: 42 }]], statements: 1 });

    const failure = await runInTenant(app, tenant.id, (m) =>
      queryPrepared(m, `INSERT INTO customers (tenant_id, id) VALUES ($1, $2)`, [tenant.id, 'not-a-uuid']),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('22P02');
  });
});
