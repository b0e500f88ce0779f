import { Socket } from 'node:net';
import { Client } from 'pg';
import { withDatabase } from '../../src/database/database-admin';
import {
  DatabaseState,
  databasesToSweep,
  isOwnedByRun,
  newRunId,
  parseRunSessionName,
  runSessionName,
} from './test-database-names';

/** Read by createTestDatabase in the Jest workers, which inherit the environment of the setup. */
export const TEST_RUN_ENV = 'BEACON_TEST_RUN';

// Sweeping and deciding to reuse a template happen under this lock, so a run never reuses a
// template that another run's sweep is about to drop (advisory locks are per database: every
// run takes it on the maintenance database).
const SWEEP_LOCK = 4_206_771_001;

export interface TestRun {
  runId: string;
  template: string;
  ownerUrl: string;
  /** Connected from setup to teardown: while it is, the run's databases are not swept. */
  session: Client;
}

const CURRENT = Symbol.for('beacon.testRun');
type WithTestRun = { [CURRENT]?: TestRun };

/** The run globalSetup started, for globalTeardown: both run in Jest's main process. */
export function currentTestRun(): TestRun | undefined {
  return (globalThis as WithTestRun)[CURRENT];
}

export async function startTestRun(ownerUrl: string, template: string): Promise<TestRun> {
  const runId = newRunId();
  const session = new Client({
    connectionString: withDatabase(ownerUrl, 'postgres'),
    application_name: runSessionName(runId, template),
    keepAlive: true,
  });
  // A lost session only exposes this run's idle databases to other runs' sweeps; the tests go on.
  session.on('error', (error) => console.warn(`beacon test run ${runId}: its session ended (${error.message})`));
  await session.connect();
  const run = { runId, template, ownerUrl, session };
  (globalThis as WithTestRun)[CURRENT] = run;
  process.env[TEST_RUN_ENV] = runId;
  return run;
}

/**
 * Between setup and teardown the session only has to stay connected: it must not keep Jest's
 * process alive should teardown never come (an interrupted run), so its socket is unref'd then.
 */
export function sessionKeepsProcessAlive(run: TestRun, keepsAlive: boolean): void {
  const socket = run.session.connection.stream;
  if (!(socket instanceof Socket)) return;
  if (keepsAlive) socket.ref();
  else socket.unref();
}

export async function endTestRun(run: TestRun): Promise<void> {
  delete (globalThis as WithTestRun)[CURRENT];
  await run.session.end().catch(() => undefined);
}

export async function withSweepLock<T>(client: Client, work: () => Promise<T>): Promise<T> {
  await client.query('SELECT pg_advisory_lock($1)', [SWEEP_LOCK]);
  try {
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [SWEEP_LOCK]);
  }
}

async function liveRuns(client: Client): Promise<Map<string, string>> {
  const { rows } = await client.query<{ application_name: string }>(
    `SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'beacon-test-run %'`,
  );
  const runs = new Map<string, string>();
  for (const { application_name } of rows) {
    const run = parseRunSessionName(application_name);
    if (run) runs.set(run.runId, run.template);
  }
  return runs;
}

async function testDatabases(client: Client): Promise<DatabaseState[]> {
  const { rows } = await client.query<DatabaseState>(
    `SELECT d.datname AS name,
            age(d.xmin) AS transactions,
            (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid)::int AS connections
       FROM pg_database d
      WHERE d.datname LIKE 'beacon\\_test\\_%' OR d.datname LIKE 'beacon\\_tpl\\_%'`,
  );
  return rows;
}

export interface SweepOptions {
  currentTemplate: string;
  keepTemplates: boolean;
}

/**
 * Drops the test databases that runs no longer alive left behind (see databasesToSweep) and
 * returns their names. Without FORCE: a database someone connects to meanwhile is skipped.
 */
export async function sweepTestDatabases(client: Client, options: SweepOptions): Promise<string[]> {
  return withSweepLock(client, async () => {
    const stale = databasesToSweep(await testDatabases(client), {
      now: Date.now(),
      liveRuns: await liveRuns(client),
      ...options,
    });
    const dropped: string[] = [];
    for (const name of stale) {
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}"`);
        dropped.push(name);
      } catch (error) {
        console.warn(`beacon tests: left ${name} in place (${(error as Error).message})`);
      }
    }
    return dropped;
  });
}

/** Drops every database this run created, whoever is still connected to it. */
export async function dropRunDatabases(run: TestRun): Promise<string[]> {
  const names = (await testDatabases(run.session))
    .map((database) => database.name)
    .filter((name) => isOwnedByRun(name, run.runId));
  for (const name of names) await run.session.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  return names;
}
