import { DataSource, EntityMetadata, QueryRunner, Table, TableIndex } from 'typeorm';
import { dataSourceOptions } from './data-source';

export interface SchemaDrift {
  /** SQL TypeORM would run to bring the database in line with the entities. */
  statements: string[];
  /** Indexes that the entities and the database both name but build differently. */
  indexes: string[];
}

/** An index as PostgreSQL stores it, in PostgreSQL's own normalized text. */
interface BuiltIndex {
  table: string;
  unique: boolean;
  method: string;
  /** Key columns or expressions, in order. */
  columns: string[];
  predicate: string | null;
  /** The whole definition without the index name: covers sort order, operator classes, INCLUDE. */
  definition: string;
}

type IndexMetadata = EntityMetadata['indices'][number];

/**
 * Compares the entities with the database at `ownerUrl` (a freshly migrated one, for the drift
 * check). TypeORM's own comparison ignores an index's predicate and the order of its columns, so
 * each index the entities declare is also built as they describe it, beside the migrated one, and
 * the two are compared as PostgreSQL normalizes them.
 */
export async function findSchemaDrift(ownerUrl: string): Promise<SchemaDrift> {
  const options = dataSourceOptions({ url: ownerUrl, applicationName: 'beacon-schema-check', poolSize: 1 });
  // TypeORM reads a schema with concurrent queries on its one connection (a Promise.all over the
  // columns of each table, to name their enum types), which pg deprecates unless the client
  // pipelines: then concurrent queries are its documented use.
  const dataSource = new DataSource({ ...options, extra: { ...options.extra, pipeline: true } });
  await dataSource.initialize();
  try {
    const sql = await dataSource.driver.createSchemaBuilder().log();
    const statements = sql.upQueries.map((query) => query.query);
    return { statements, indexes: await indexDrift(dataSource) };
  } finally {
    await dataSource.destroy();
  }
}

/** How the entity's index and the migrated one differ, one message per property; empty if alike. */
function compareIndexes(name: string, entities: BuiltIndex, migrations: BuiltIndex): string[] {
  const differences: string[] = [];
  const differ = (property: string, entitySide: string, migrationSide: string) =>
    differences.push(
      `index "${name}" differs in ${property}: ${entitySide} in the entities, ${migrationSide} in the migrations`,
    );
  if (entities.table !== migrations.table) differ('table', entities.table, migrations.table);
  if (entities.unique !== migrations.unique) differ('uniqueness', uniqueness(entities), uniqueness(migrations));
  if (entities.method !== migrations.method) differ('method', entities.method, migrations.method);
  if (entities.columns.join(', ') !== migrations.columns.join(', '))
    differ('columns', `(${entities.columns.join(', ')})`, `(${migrations.columns.join(', ')})`);
  if (entities.predicate !== migrations.predicate)
    differ('predicate', predicateText(entities), predicateText(migrations));
  if (differences.length === 0 && entities.definition !== migrations.definition)
    differ('definition', entities.definition, migrations.definition);
  return differences;
}

const uniqueness = (index: BuiltIndex) => (index.unique ? 'unique' : 'not unique');
const predicateText = (index: BuiltIndex) => (index.predicate === null ? 'no WHERE' : `WHERE ${index.predicate}`);

/**
 * Builds a twin of each entity index under a scratch name, inside a transaction that is rolled
 * back, so both sides go through PostgreSQL's parser: `"deleted_at" IS NULL` and
 * `(deleted_at IS NULL)` are the same predicate.
 */
async function indexDrift(dataSource: DataSource): Promise<string[]> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  await queryRunner.startTransaction();
  try {
    const differences: string[] = [];
    for (const metadata of dataSource.entityMetadatas) {
      for (const index of metadata.indices) {
        if (index.synchronize === false || !index.name) continue;
        // A missing index is already in TypeORM's statements.
        const migrated = await describeIndex(queryRunner, index.name);
        if (!migrated) continue;
        const twin = await buildTwin(queryRunner, index);
        if (typeof twin === 'string') differences.push(`index "${index.name}" ${twin}`);
        else differences.push(...compareIndexes(index.name, twin, migrated));
      }
    }
    return differences;
  } finally {
    await queryRunner.rollbackTransaction();
    await queryRunner.release();
  }
}

/** The twin as PostgreSQL built it, or why it could not be built (a column the database lacks). */
async function buildTwin(queryRunner: QueryRunner, index: IndexMetadata): Promise<BuiltIndex | string> {
  const twin = TableIndex.create(index);
  twin.name = 'schema_drift_twin';
  twin.isConcurrent = false;
  await queryRunner.startTransaction();
  try {
    try {
      await queryRunner.createIndex(new Table({ name: index.entityMetadata.tablePath }), twin);
    } catch (error) {
      return `cannot be built as the entities describe it: ${error instanceof Error ? error.message : String(error)}`;
    }
    const built = await describeIndex(queryRunner, twin.name);
    if (!built) throw new Error(`the twin of index "${index.name}" was built but cannot be found`);
    return built;
  } finally {
    await queryRunner.rollbackTransaction();
  }
}

async function describeIndex(queryRunner: QueryRunner, name: string): Promise<BuiltIndex | undefined> {
  const rows: BuiltIndex[] = await queryRunner.query(
    `SELECT tab.relname AS "table",
            ix.indisunique AS "unique",
            am.amname AS "method",
            ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true)
                  FROM generate_series(1, ix.indnkeyatts) AS k ORDER BY k) AS "columns",
            pg_get_expr(ix.indpred, ix.indrelid, true) AS "predicate",
            replace(pg_get_indexdef(ix.indexrelid), ' INDEX ' || quote_ident(idx.relname) || ' ON ', ' INDEX ON ')
              AS "definition"
     FROM pg_index ix
     JOIN pg_class idx ON idx.oid = ix.indexrelid
     JOIN pg_class tab ON tab.oid = ix.indrelid
     JOIN pg_am am ON am.oid = idx.relam
     WHERE idx.relname = $1 AND idx.relnamespace = current_schema()::regnamespace`,
    [name],
  );
  return rows[0];
}
