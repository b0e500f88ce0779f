import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource } from './data-source';

/** The same server and credentials as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

async function onMaintenanceDatabase<T>(ownerUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(ownerUrl, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(ownerUrl: string, name: string, template = 'template1'): Promise<void> {
  await onMaintenanceDatabase(ownerUrl, (client) =>
    client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`),
  );
}

export async function databaseExists(ownerUrl: string, name: string): Promise<boolean> {
  return onMaintenanceDatabase(ownerUrl, async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  });
}

export async function dropDatabase(ownerUrl: string, name: string): Promise<void> {
  await onMaintenanceDatabase(ownerUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

export async function migrateDatabase(ownerUrl: string): Promise<string[]> {
  const dataSource = createDataSource({ url: ownerUrl, applicationName: 'beacon-migrate' });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Runs `work` against a throw-away, freshly migrated database, dropped afterwards. */
export async function withScratchDatabase<T>(ownerUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `beacon_scratch_${randomBytes(6).toString('hex')}`;
  await createDatabase(ownerUrl, name);
  try {
    const url = withDatabase(ownerUrl, name);
    await migrateDatabase(url);
    return await work(url);
  } finally {
    await dropDatabase(ownerUrl, name);
  }
}
