import { Client } from 'pg';
import { loadEnvFile } from '../../src/config/env-file';
import {
  createDatabase,
  databaseExists,
  dropDatabase,
  migrateDatabase,
  withDatabase,
} from '../../src/database/database-admin';
import { templateDatabaseName } from './template-database';

/** Builds the migrated template database once; each test file clones it (see test-database.ts). */
export default async function globalSetup(): Promise<void> {
  loadEnvFile();
  const ownerUrl = process.env.DATABASE_OWNER_URL;
  if (!ownerUrl) throw new Error('DATABASE_OWNER_URL is not set: run the tests with `npm test`.');
  const template = templateDatabaseName();
  if (await databaseExists(ownerUrl, template)) return;

  const building = `${template}_building_${process.pid}`;
  await createDatabase(ownerUrl, building);
  await migrateDatabase(withDatabase(ownerUrl, building));
  const client = new Client({ connectionString: withDatabase(ownerUrl, 'postgres') });
  await client.connect();
  try {
    try {
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    } catch (error) {
      // Another Jest run built the same template meanwhile: use theirs.
      if (!(await databaseExists(ownerUrl, template))) throw error;
      await dropDatabase(ownerUrl, building);
      return;
    }
    // Concurrent runs on other migration sets (e.g. parallel branches) keep their templates.
    if (process.env.BEACON_KEEP_TEMPLATES === '1') return;
    const stale = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'beacon\\_tpl\\_%' AND datname <> $1`,
      [template],
    );
    for (const { datname } of stale.rows) await dropDatabase(ownerUrl, datname).catch(() => undefined);
  } finally {
    await client.end();
  }
}
