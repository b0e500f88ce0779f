import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from '../../src/database/database-admin';
import { templateDatabaseName } from '../support/template-database';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import {
  buildingTemplateName,
  cloneDatabaseName,
  DatabaseState,
  databasesToSweep,
  FRESH_MS,
  newRunId,
  OLD_NAME_TRANSACTIONS,
  runSessionName,
  SweepContext,
} from '../support/test-database-names';
import { sweepTestDatabases } from '../support/test-run';

const MINUTE = 60_000;
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

describe('which test databases a run sweeps', () => {
  const now = Date.now();
  const deadRun = newRunId(now - 30 * MINUTE);
  const liveRun = newRunId(now - 30 * MINUTE);
  const currentTemplate = `beacon_tpl_${hex(6)}`;
  const otherBranchTemplate = `beacon_tpl_${hex(6)}`;
  const context: SweepContext = {
    now,
    liveRuns: new Map([[liveRun, otherBranchTemplate]]),
    currentTemplate,
    keepTemplates: false,
  };
  const idle = (name: string, transactions = 10): DatabaseState => ({ name, connections: 0, transactions });
  const swept = (database: DatabaseState, overrides: Partial<SweepContext> = {}): boolean =>
    databasesToSweep([database], { ...context, ...overrides }).includes(database.name);

  it('drops the idle clones and half-built templates of a run that is gone', () => {
    expect(swept(idle(cloneDatabaseName(deadRun, now - 10 * MINUTE)))).toBe(true);
    expect(swept(idle(buildingTemplateName(`beacon_tpl_${hex(6)}`, deadRun)))).toBe(true);
  });

  it("keeps a live run's clones, and any clone someone is connected to or that was just created", () => {
    expect(swept(idle(cloneDatabaseName(liveRun, now - 10 * MINUTE)))).toBe(false);
    expect(swept(idle(buildingTemplateName(currentTemplate, liveRun)))).toBe(false);
    const connected = { ...idle(cloneDatabaseName(deadRun, now - 10 * MINUTE)), connections: 1 };
    expect(swept(connected)).toBe(false);
    expect(swept(idle(cloneDatabaseName(deadRun, now - FRESH_MS + 1000)))).toBe(false);
  });

  it('drops a template of other migrations unless a live run clones it or templates are kept', () => {
    expect(swept(idle(`beacon_tpl_${hex(6)}`))).toBe(true);
    expect(swept(idle(`beacon_tpl_${hex(6)}`), { keepTemplates: true })).toBe(false);
    expect(swept(idle(otherBranchTemplate))).toBe(false);
    expect(swept(idle(currentTemplate))).toBe(false);
    expect(swept({ ...idle(`beacon_tpl_${hex(6)}`), connections: 2 })).toBe(false);
  });

  it('drops names from before run ids only once many transactions have passed since their creation', () => {
    expect(swept(idle(`beacon_test_${hex(6)}`, OLD_NAME_TRANSACTIONS))).toBe(true);
    expect(swept(idle(`beacon_tpl_${hex(6)}_building_4242`, OLD_NAME_TRANSACTIONS))).toBe(true);
    expect(swept(idle(`beacon_test_${hex(6)}`, OLD_NAME_TRANSACTIONS - 1))).toBe(false);
  });

  it('never touches a database the tests do not name', () => {
    const foreign = [
      'beacon',
      'postgres',
      `beacon_scratch_${hex(6)}`,
      `beacon_test_${hex(6)}_copy`,
      `beacon_test_${deadRun}`,
      `beacon_tpl_${hex(6)}_backup`,
      `beacon_testing_${hex(6)}`,
      `BEACON_TEST_${hex(6)}`,
    ];
    const everythingOld = foreign.map((name) => idle(name, 10 * OLD_NAME_TRANSACTIONS));
    expect(databasesToSweep(everythingOld, { ...context, now: now + 365 * 24 * 60 * MINUTE })).toEqual([]);
  });
});

describe('sweeping the cluster', () => {
  const ownerUrl = process.env.DATABASE_OWNER_URL!;
  const keepTemplates = process.env.BEACON_KEEP_TEMPLATES === '1';
  const longAgo = Date.now() - 10 * MINUTE;
  const deadRun = newRunId(longAgo);
  const otherRun = newRunId(longAgo);
  const names = {
    deadClone: cloneDatabaseName(deadRun, longAgo),
    deadBuilding: buildingTemplateName(`beacon_tpl_${hex(6)}`, deadRun),
    connectedDeadClone: cloneDatabaseName(deadRun, longAgo),
    freshDeadClone: cloneDatabaseName(deadRun),
    otherRunClone: cloneDatabaseName(otherRun, longAgo),
    otherRunTemplate: `beacon_tpl_${hex(6)}`,
    staleTemplate: `beacon_tpl_${hex(6)}`,
    freshOldName: `beacon_test_${hex(6)}`,
    scratch: `beacon_scratch_${hex(6)}`,
    lookalike: `beacon_test_${deadRun}_copy`,
  };
  let admin: Client;
  let otherRunSession: Client;
  let connected: Client;
  let ownClone: TestDatabase;

  const exists = async (name: string): Promise<boolean> =>
    (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;

  beforeAll(async () => {
    ownClone = await createTestDatabase();
    admin = new Client({ connectionString: withDatabase(ownerUrl, 'postgres') });
    await admin.connect();
    for (const name of Object.values(names)) await admin.query(`CREATE DATABASE "${name}" TEMPLATE template1`);
    // Another run, alive: connected under its run name, cloning a template of other migrations.
    otherRunSession = new Client({
      connectionString: withDatabase(ownerUrl, 'postgres'),
      application_name: runSessionName(otherRun, names.otherRunTemplate),
    });
    await otherRunSession.connect();
    connected = new Client({ connectionString: withDatabase(ownerUrl, names.connectedDeadClone) });
    await connected.connect();
  });

  afterAll(async () => {
    await connected?.end();
    await otherRunSession?.end();
    for (const name of Object.values(names)) await admin?.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin?.end();
    await ownClone?.drop();
  });

  it('drops what dead runs left and nothing a live run, a connected client or another tool uses', async () => {
    // Another run's sweep may drop the dead run's databases first, so look at the cluster, not at `dropped`.
    const dropped = await sweepTestDatabases(admin, { currentTemplate: templateDatabaseName(), keepTemplates });

    expect(await exists(names.deadClone)).toBe(false);
    expect(await exists(names.deadBuilding)).toBe(false);
    for (const kept of [
      ownClone.name,
      templateDatabaseName(),
      names.connectedDeadClone,
      names.freshDeadClone,
      names.otherRunClone,
      names.otherRunTemplate,
      names.freshOldName,
      names.scratch,
      names.lookalike,
    ]) {
      expect({ name: kept, exists: await exists(kept) }).toEqual({ name: kept, exists: true });
    }
    expect(await exists(names.staleTemplate)).toBe(keepTemplates);
    expect(dropped).not.toContain(ownClone.name);
  });
});
