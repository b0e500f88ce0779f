import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { findSchemaDrift, SchemaDrift } from '../../src/database/schema-drift';
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
    expect(await findSchemaDrift(database.ownerUrl)).toEqual({ statements: [], indexes: [] });
  });

  it('passes the drift check script on the current tree, without pg deprecation warnings', async () => {
    const root = join(__dirname, '..', '..');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join('scripts', 'check-schema-drift.ts')],
      { cwd: root, env: { ...process.env, DATABASE_OWNER_URL: database.ownerUrl } },
    );
    expect(stdout).toContain('entities and migrations agree');
    expect(stderr).not.toMatch(/DeprecationWarning/);
  });

  /** The drift of a copy of the migrated schema that `alter` has changed. */
  async function driftAfter(alter: string): Promise<SchemaDrift> {
    const drifted = await createTestDatabase();
    const client = new Client({ connectionString: drifted.ownerUrl });
    await client.connect();
    try {
      await client.query(alter);
      return await findSchemaDrift(drifted.ownerUrl);
    } finally {
      await client.end();
      await drifted.drop();
      process.env.DATABASE_URL = database.appUrl;
      process.env.DATABASE_OWNER_URL = database.ownerUrl;
    }
  }

  it('reports drift when the database and the entities differ', async () => {
    const drift = await driftAfter(`ALTER TABLE tenants DROP COLUMN plan`);
    expect(drift.statements.join('\n')).toMatch(/"plan"/);
  });

  it('reports an index whose predicate differs, naming both predicates', async () => {
    const drift = await driftAfter(`
      DROP INDEX outbox_unpublished_idx;
      CREATE INDEX outbox_unpublished_idx ON outbox (tenant_id, sequence) WHERE published_at IS NOT NULL`);
    expect(drift).toEqual({
      statements: [],
      indexes: [
        'index "outbox_unpublished_idx" differs in predicate: WHERE published_at IS NULL in the entities, ' +
          'WHERE published_at IS NOT NULL in the migrations',
      ],
    });
  });

  it('accepts a predicate written differently that PostgreSQL reads the same', async () => {
    const drift = await driftAfter(`
      DROP INDEX redemptions_expiry_idx;
      CREATE INDEX redemptions_expiry_idx ON redemptions (tenant_id, expires_at) WHERE ((status)::text = 'pending'::text)`);
    expect(drift).toEqual({ statements: [], indexes: [] });
  });

  it('reports an index whose columns come in another order or sort differently', async () => {
    const drift = await driftAfter(`
      DROP INDEX point_lots_expiry_idx;
      CREATE INDEX point_lots_expiry_idx ON point_lots (expires_at, tenant_id) WHERE remaining > 0;
      DROP INDEX point_lots_pending_idx;
      CREATE INDEX point_lots_pending_idx ON point_lots (tenant_id, available_at DESC) WHERE pending`);
    expect(drift.statements).toEqual([]);
    expect(drift.indexes).toEqual(
      expect.arrayContaining([
        'index "point_lots_expiry_idx" differs in columns: (tenant_id, expires_at) in the entities, ' +
          '(expires_at, tenant_id) in the migrations',
        expect.stringMatching(
          /^index "point_lots_pending_idx" differs in definition: .*available_at\) WHERE pending in the entities, .*available_at DESC\) WHERE pending in the migrations$/,
        ),
      ]),
    );
    expect(drift.indexes).toHaveLength(2);
  });

  it('reports an entity index that cannot be built, and still compares the ones after it', async () => {
    const drift = await driftAfter(`
      ALTER TABLE outbox RENAME COLUMN published_at TO sent_at;
      DROP INDEX redemptions_expiry_idx;
      CREATE INDEX redemptions_expiry_idx ON redemptions (tenant_id, expires_at)`);
    expect(drift.indexes).toEqual([
      expect.stringMatching(/^index "outbox_unpublished_idx" cannot be built .*"published_at" does not exist/),
      expect.stringMatching(
        /^index "redemptions_expiry_idx" differs in predicate: WHERE .*'pending'.* in the entities, no WHERE in the migrations$/,
      ),
    ]);
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
