import { currentTestRun, dropRunDatabases, endTestRun, sessionKeepsProcessAlive, sweepTestDatabases } from './test-run';

/**
 * Drops every clone this run made, also those of files that failed or never reached their own
 * afterAll, then sweeps again for runs that died meanwhile. The template stays for the next run.
 */
export default async function globalTeardown(): Promise<void> {
  const run = currentTestRun();
  if (!run) return;
  sessionKeepsProcessAlive(run, true);
  try {
    await dropRunDatabases(run);
    await sweepTestDatabases(run.session, {
      currentTemplate: run.template,
      keepTemplates: process.env.BEACON_KEEP_TEMPLATES === '1',
    });
  } catch (error) {
    // Not a test failure: with this run's session gone, the next run's sweep drops what is left.
    console.warn(`beacon tests: teardown left databases behind (${(error as Error).message})`);
  } finally {
    await endTestRun(run);
  }
}
