import { Client } from 'pg';
import { schemaDrift } from '../../src/database/database-admin';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('schema', () => {
  let database: TestDatabase;
  let owner: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    owner = new Client({ connectionString: database.ownerUrl });
    await owner.connect();
  });

  afterAll(async () => {
    await owner?.end();
    await database?.drop();
  });

  it('has PostGIS enabled', async () => {
    const { rows } = await owner.query(`SELECT extversion FROM pg_extension WHERE extname = 'postgis'`);
    expect(rows[0]?.extversion).toMatch(/^3\./);
  });

  it('matches the entities after all migrations (no drift)', async () => {
    expect(await schemaDrift(database.ownerUrl)).toEqual([]);
  });

  it('reports drift when the database and the entities differ', async () => {
    const drifted = await createTestDatabase();
    const client = new Client({ connectionString: drifted.ownerUrl });
    await client.connect();
    try {
      await client.query(`ALTER TABLE tenants DROP COLUMN plan`);
      const drift = await schemaDrift(drifted.ownerUrl);
      expect(drift.join('\n')).toMatch(/"plan"/);
    } finally {
      await client.end();
      await drifted.drop();
      process.env.DATABASE_URL = database.appUrl;
      process.env.DATABASE_OWNER_URL = database.ownerUrl;
    }
  });

  // Every table with a tenant_id is tenant-owned; these conventions keep isolation and Citus
  // distribution possible for every table a later migration adds.
  it('gives every tenant-owned table forced RLS, the tenant policy and tenant_id-led keys', async () => {
    const { rows: tables } = await owner.query<{ table: string; rls: boolean; forced: boolean }>(`
      SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`);
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      expect({ table: table.table, rls: table.rls, forced: table.forced }).toEqual({
        table: table.table,
        rls: true,
        forced: true,
      });
      const { rows: policies } = await owner.query(
        `SELECT qual, with_check FROM pg_policies WHERE tablename = $1 AND policyname = 'tenant_isolation'`,
        [table.table],
      );
      expect(policies).toHaveLength(1);
      expect(policies[0].qual).toContain('app_current_tenant()');
      expect(policies[0].with_check).toContain('app_current_tenant()');

      const { rows: keys } = await owner.query<{ name: string; first: string }>(
        `SELECT con.conname AS name, a.attname AS first
         FROM pg_constraint con
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
         WHERE con.conrelid = $1::regclass AND con.contype IN ('p', 'u')`,
        [table.table],
      );
      for (const key of keys)
        expect({ table: table.table, key: key.name, first: key.first }).toMatchObject({ first: 'tenant_id' });
    }
  });
});
