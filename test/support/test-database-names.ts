import { randomBytes } from 'node:crypto';

/*
 * The names of the databases `npm test` creates, and which of them a run may sweep. Every name
 * ties the database to the run that made it; a run is alive while its session (see test-run.ts)
 * is connected. Nothing outside these exact shapes is ever dropped.
 *
 *   beacon_tpl_<migrations hash>                  the migrated template (template-database.ts)
 *   beacon_tpl_<migrations hash>_building_<run>   a template being migrated
 *   beacon_test_<run>_<created><random>           one test file's clone
 *
 * A run id is its start time in base 36 (9 characters) and 6 random hex digits.
 */

const TIME = '[0-9a-z]{9}';
const RUN = `${TIME}[0-9a-f]{6}`;
const CLONE = new RegExp(`^beacon_test_(${RUN})_(${TIME})[0-9a-f]{4}$`);
const TEMPLATE = /^beacon_tpl_[0-9a-f]{12}$/;
const BUILDING = new RegExp(`^beacon_tpl_[0-9a-f]{12}_building_(${RUN})$`);
// Names from before run ids: beacon_test_<12 hex> and beacon_tpl_<hash>_building_<pid>.
const OLD_CLONE = /^beacon_test_[0-9a-f]{12}$/;
const OLD_BUILDING = /^beacon_tpl_[0-9a-f]{12}_building_[0-9]+$/;
const RUN_SESSION = new RegExp(`^beacon-test-run (${RUN}) (beacon_tpl_[0-9a-f]{12})$`);

/** A clone of a run that is no longer alive is kept this long after its creation. */
export const FRESH_MS = 60_000;
/**
 * Old names carry no time, but their pg_database row's xmin does count transactions: this many
 * later, nobody is still between creating such a database and connecting to it.
 */
export const OLD_NAME_TRANSACTIONS = 100_000;

const timeOf = (base36: string): number => parseInt(base36, 36);
const time36 = (now: number): string => Math.floor(now).toString(36).padStart(9, '0');

export function newRunId(now = Date.now()): string {
  return `${time36(now)}${randomBytes(3).toString('hex')}`;
}

export function cloneDatabaseName(runId: string, now = Date.now()): string {
  return `beacon_test_${runId}_${time36(now)}${randomBytes(2).toString('hex')}`;
}

export function buildingTemplateName(template: string, runId: string): string {
  return `${template}_building_${runId}`;
}

/** The application_name of the session that marks a run alive and names the template it clones. */
export function runSessionName(runId: string, template: string): string {
  return `beacon-test-run ${runId} ${template}`;
}

export function parseRunSessionName(applicationName: string): { runId: string; template: string } | undefined {
  const match = RUN_SESSION.exec(applicationName);
  return match ? { runId: match[1], template: match[2] } : undefined;
}

export type TestDatabaseKind =
  | { kind: 'clone'; runId: string; createdAt: number }
  | { kind: 'building'; runId: string; createdAt: number }
  | { kind: 'template' }
  | { kind: 'old' };

/** What the tests made this database for; undefined for any database the tests do not name. */
export function parseTestDatabaseName(name: string): TestDatabaseKind | undefined {
  const clone = CLONE.exec(name);
  if (clone) return { kind: 'clone', runId: clone[1], createdAt: timeOf(clone[2]) };
  const building = BUILDING.exec(name);
  if (building) return { kind: 'building', runId: building[1], createdAt: timeOf(building[1].slice(0, 9)) };
  if (TEMPLATE.test(name)) return { kind: 'template' };
  if (OLD_CLONE.test(name) || OLD_BUILDING.test(name)) return { kind: 'old' };
  return undefined;
}

export function isOwnedByRun(name: string, runId: string): boolean {
  const parsed = parseTestDatabaseName(name);
  return (parsed?.kind === 'clone' || parsed?.kind === 'building') && parsed.runId === runId;
}

export interface DatabaseState {
  name: string;
  /** Sessions connected to it now, anyone's. */
  connections: number;
  /** Transactions since its pg_database row was written (age(xmin)). */
  transactions: number;
}

export interface SweepContext {
  now: number;
  /** Runs whose session is connected, with the template each one clones. */
  liveRuns: Map<string, string>;
  /** This checkout's template (its migrations' hash). */
  currentTemplate: string;
  /** BEACON_KEEP_TEMPLATES=1: no template is dropped, not even one of other migrations. */
  keepTemplates: boolean;
}

/**
 * The databases to drop: test databases nobody is connected to, whose run is gone (or, for old
 * names, long gone), and templates of migrations that neither this checkout nor a live run uses.
 */
export function databasesToSweep(databases: DatabaseState[], context: SweepContext): string[] {
  const templatesInUse = new Set([context.currentTemplate, ...context.liveRuns.values()]);
  return databases
    .filter((database) => {
      const parsed = parseTestDatabaseName(database.name);
      if (!parsed || database.connections > 0) return false;
      switch (parsed.kind) {
        case 'clone':
        case 'building':
          return !context.liveRuns.has(parsed.runId) && context.now - parsed.createdAt >= FRESH_MS;
        case 'template':
          return !context.keepTemplates && !templatesInUse.has(database.name);
        case 'old':
          return database.transactions >= OLD_NAME_TRANSACTIONS;
      }
    })
    .map((database) => database.name);
}
