import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export const MIGRATIONS = [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')];

export interface ConnectionSettings {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /**
   * How long a pooled connection may sit idle before it is closed (pg-pool's own default is
   * 10 s). A new connection's first requests are slow: PostGIS is loaded into the backend, and
   * catalogs and prepared statements are built again.
   */
  idleTimeoutMs?: number;
  applicationName?: string;
}

/** The one place TypeORM is configured: the API, the worker, scripts and tests all use it. */
export function dataSourceOptions(settings: ConnectionSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: settings.poolSize ?? 10,
    applicationName: settings.applicationName ?? 'beacon',
    extra: {
      statement_timeout: settings.statementTimeoutMs ?? 15000,
      idle_in_transaction_session_timeout: 60000,
      idleTimeoutMillis: settings.idleTimeoutMs ?? 300000,
    },
  };
}

export function createDataSource(settings: ConnectionSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}
