import { loadEnvFile } from '../src/config/env-file';
import { withScratchDatabase } from '../src/database/database-admin';
import { findSchemaDrift } from '../src/database/schema-drift';

/** Fails when the entities and the migrations describe different schemas. */
async function main(): Promise<void> {
  loadEnvFile();
  const url = process.env.DATABASE_OWNER_URL;
  if (!url) throw new Error('DATABASE_OWNER_URL is required');
  const drift = await withScratchDatabase(url, findSchemaDrift);
  if (drift.statements.length === 0 && drift.indexes.length === 0) {
    console.log('entities and migrations agree');
    return;
  }
  console.error('Entities and migrations have drifted apart.');
  if (drift.statements.length > 0) {
    console.error('A migration would need:');
    for (const statement of drift.statements) console.error(`  ${statement};`);
  }
  if (drift.indexes.length > 0) {
    console.error('Indexes built differently:');
    for (const difference of drift.indexes) console.error(`  ${difference}`);
  }
  process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
