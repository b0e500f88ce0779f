import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvFile } from '../src/config/env-file';
import { withScratchDatabase } from '../src/database/database-admin';
import { findSchemaDrift } from '../src/database/schema-drift';

/** Writes migrations/<timestamp>-<Name>.ts with the SQL that the entities need. Review it. */
async function main(): Promise<void> {
  loadEnvFile();
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('usage: generate-migration PascalCaseName');
  const url = process.env.DATABASE_OWNER_URL;
  if (!url) throw new Error('DATABASE_OWNER_URL is required');
  const { statements, indexes } = await withScratchDatabase(url, findSchemaDrift);
  // TypeORM writes no SQL for an index that exists under its name but is built differently.
  for (const difference of indexes) console.warn(`write by hand (drop and create the index): ${difference}`);
  if (statements.length === 0) return console.log('nothing to generate');
  const stamp = Date.now();
  const body = statements.map((sql) => `    await queryRunner.query(${JSON.stringify(sql)});`).join('\n');
  const file = join(__dirname, '..', 'migrations', `${stamp}-${name}.ts`);
  writeFileSync(
    file,
    `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${name}${stamp} implements MigrationInterface {\n  async up(queryRunner: QueryRunner): Promise<void> {\n${body}\n  }\n\n  async down(): Promise<void> {\n    throw new Error('irreversible');\n  }\n}\n`,
  );
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
