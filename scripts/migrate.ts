import { loadEnvFile } from '../src/config/env-file';
import { migrateDatabase } from '../src/database/database-admin';

async function main(): Promise<void> {
  loadEnvFile();
  const url = process.env.DATABASE_OWNER_URL;
  if (!url) throw new Error('DATABASE_OWNER_URL is required to run migrations');
  const applied = await migrateDatabase(url);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema up to date');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
