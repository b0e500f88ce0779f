import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { runInTenant } from '../../src/database/tenant-transaction';
import { factories } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('row-level security through the application connection', () => {
  let database: TestDatabase;
  let app: DataSource;
  let make: ReturnType<typeof factories>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createDataSource({ url: database.appUrl, poolSize: 2 }).initialize();
    make = factories(app);
  });

  afterAll(async () => {
    await app?.destroy();
    await database?.drop();
  });

  it('connects as a role that is neither superuser nor able to bypass RLS', async () => {
    const [role] = await app.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`);
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
  });

  it('sees no tenant-owned row when no tenant is set', async () => {
    const tenant = await make.tenant();
    await make.idempotencyKey(tenant.id);
    expect(await app.query(`SELECT * FROM idempotency_keys`)).toEqual([]);
  });

  it('sees only the current tenant’s rows, even with no filter in the query', async () => {
    const [a, b] = [await make.tenant(), await make.tenant()];
    await make.idempotencyKey(a.id, { key: 'a-key' });
    await make.idempotencyKey(b.id, { key: 'b-key' });
    const seenByA = await runInTenant(app, a.id, (m) => m.query(`SELECT tenant_id, key FROM idempotency_keys`));
    expect(seenByA).toEqual([{ tenant_id: a.id, key: 'a-key' }]);
  });

  it('refuses to write a row for another tenant', async () => {
    const [a, b] = [await make.tenant(), await make.tenant()];
    await expect(make.idempotencyKey(b.id)).resolves.toBeDefined();
    await expect(
      runInTenant(app, a.id, (m) =>
        m.query(
          `INSERT INTO idempotency_keys (tenant_id, actor_id, key, method, path, request_hash, expires_at)
           VALUES ($1, 'user:x', 'k', 'POST', '/', repeat('a', 64), now())`,
          [b.id],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('cannot switch row security off or disable the policy', async () => {
    await expect(
      app.transaction(async (m) => {
        await m.query(`SET LOCAL row_security = off`);
        return m.query(`SELECT count(*) FROM idempotency_keys`);
      }),
    ).rejects.toThrow(/row-level security/);
    await expect(app.query(`ALTER TABLE idempotency_keys DISABLE ROW LEVEL SECURITY`)).rejects.toThrow(/must be owner/);
  });

  it('forgets the tenant when the transaction ends, so a pooled connection carries nothing over', async () => {
    const tenant = await make.tenant();
    await make.idempotencyKey(tenant.id);
    const runner = app.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant.id]);
      expect(await runner.query(`SELECT 1 FROM idempotency_keys`)).toHaveLength(1);
      await runner.commitTransaction();
      expect(await runner.query(`SELECT 1 FROM idempotency_keys`)).toHaveLength(0);
    } finally {
      await runner.release();
    }
  });

  it('checks a user in one statement with app_check_standing and leaves the connection without a tenant', async () => {
    const tenant = await make.tenant();
    await make.idempotencyKey(tenant.id);
    const [user] = await runInTenant(app, tenant.id, (m) =>
      m.query(`INSERT INTO users (tenant_id, email, role) VALUES ($1, 'a@b.c', 'staff') RETURNING id`, [tenant.id]),
    );
    const runner = app.createQueryRunner();
    try {
      const standing = await runner.query(`SELECT app_check_standing($1, $2, $3, NULL) AS role`, [
        tenant.id,
        user.id,
        Math.floor(Date.now() / 1000),
      ]);
      expect(standing).toEqual([{ role: 'staff' }]);
      expect(await runner.query(`SELECT 1 FROM idempotency_keys`)).toHaveLength(0);
      const [{ tenant_setting }] = await runner.query(
        `SELECT current_setting('app.tenant_id', true) AS tenant_setting`,
      );
      expect(tenant_setting ?? '').toBe('');
    } finally {
      await runner.release();
    }
  });

  it('rejects a tenant id that is not a uuid before touching the database', async () => {
    await expect(runInTenant(app, "x' OR 1=1 --", async () => 1)).rejects.toThrow(/tenant uuid/);
  });
});
