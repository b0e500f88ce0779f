import { loadEnvFile } from '../src/config/env-file';
import { schemaDrift, withScratchDatabase } from '../src/database/database-admin';

/** Fails when the entities and the migrations describe different schemas. */
async function main(): Promise<void> {
  loadEnvFile();
  const url = process.env.DATABASE_OWNER_URL;
  if (!url) throw new Error('DATABASE_OWNER_URL is required');
  const drift = await withScratchDatabase(url, schemaDrift);
  if (drift.length > 0) {
    console.error('Entities and migrations have drifted apart. A migration would need:');
    for (const statement of drift) console.error(`  ${statement};`);
    process.exit(1);
  }
  console.log('entities and migrations agree');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
