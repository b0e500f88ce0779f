import { loadEnvFile } from '../../src/config/env-file';
import {
  createDatabase,
  databaseExists,
  dropDatabase,
  migrateDatabase,
  withDatabase,
} from '../../src/database/database-admin';
import { buildingTemplateName } from './test-database-names';
import { templateDatabaseName } from './template-database';
import {
  currentTestRun,
  endTestRun,
  sessionKeepsProcessAlive,
  startTestRun,
  sweepTestDatabases,
  TestRun,
  withSweepLock,
} from './test-run';

/**
 * Registers this Jest run, sweeps what dead runs left behind and builds the migrated template
 * once; each test file clones it (see test-database.ts). global-teardown.ts drops the clones.
 */
export default async function globalSetup(): Promise<void> {
  loadEnvFile();
  const ownerUrl = process.env.DATABASE_OWNER_URL;
  if (!ownerUrl) throw new Error('DATABASE_OWNER_URL is not set: run the tests with `npm test`.');
  if (currentTestRun()) return;
  const run = await startTestRun(ownerUrl, templateDatabaseName());
  try {
    await prepareTemplate(run);
  } catch (error) {
    await endTestRun(run);
    throw error;
  }
  sessionKeepsProcessAlive(run, false);
}

async function prepareTemplate({ ownerUrl, template, runId, session }: TestRun): Promise<void> {
  const keepTemplates = process.env.BEACON_KEEP_TEMPLATES === '1';
  const templateExists = await withSweepLock(session, async () => {
    await sweepTestDatabases(session, { currentTemplate: template, keepTemplates });
    return databaseExists(ownerUrl, template);
  });
  if (templateExists) return;

  const building = buildingTemplateName(template, runId);
  try {
    await createDatabase(ownerUrl, building);
    await migrateDatabase(withDatabase(ownerUrl, building));
    await session.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
  } catch (error) {
    await dropDatabase(ownerUrl, building);
    // Another Jest run built the same template meanwhile: use theirs.
    if (!(await databaseExists(ownerUrl, template))) throw error;
  }
}
