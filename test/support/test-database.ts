import { createDatabase, dropDatabase, withDatabase } from '../../src/database/database-admin';
import { templateDatabaseName } from './template-database';
import { cloneDatabaseName } from './test-database-names';
import { TEST_RUN_ENV } from './test-run';

export interface TestDatabase {
  name: string;
  /** As the application role (row-level security applies). */
  appUrl: string;
  /** As the owner that ran the migrations. */
  ownerUrl: string;
  drop(): Promise<void>;
}

/**
 * A private, freshly migrated database cloned from the template, so test files run in
 * parallel and share nothing. Points DATABASE_URL / DATABASE_OWNER_URL at it. Its name carries
 * the run's id, so the run's teardown drops it even when the file never calls drop().
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const baseOwnerUrl = process.env.BEACON_TEST_BASE_OWNER_URL ?? process.env.DATABASE_OWNER_URL!;
  const baseAppUrl = process.env.BEACON_TEST_BASE_APP_URL ?? process.env.DATABASE_URL!;
  process.env.BEACON_TEST_BASE_OWNER_URL = baseOwnerUrl;
  process.env.BEACON_TEST_BASE_APP_URL = baseAppUrl;
  const runId = process.env[TEST_RUN_ENV];
  if (!runId) throw new Error(`${TEST_RUN_ENV} is not set: test databases need Jest's global setup (npm test).`);
  const name = cloneDatabaseName(runId);
  await createDatabase(baseOwnerUrl, name, templateDatabaseName());
  const database: TestDatabase = {
    name,
    appUrl: withDatabase(baseAppUrl, name),
    ownerUrl: withDatabase(baseOwnerUrl, name),
    drop: () => dropDatabase(baseOwnerUrl, name),
  };
  process.env.DATABASE_URL = database.appUrl;
  process.env.DATABASE_OWNER_URL = database.ownerUrl;
  return database;
}
