import { loadEnvFile } from '../src/config/env-file';
import { createDataSource } from '../src/database/data-source';
import { upsertSuperAdmin } from '../src/modules/accounts/super-admins';

/**
 * `npm run create-super-admin -- admin@example.com` reads the password from BEACON_ADMIN_PASSWORD
 * or standard input (never from the command line, where it would land in shell history).
 */
async function readPassword(): Promise<string> {
  if (process.env.BEACON_ADMIN_PASSWORD) return process.env.BEACON_ADMIN_PASSWORD;
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  return input.trim();
}

async function main(): Promise<void> {
  loadEnvFile();
  const email = process.argv[2];
  if (!email || !email.includes('@')) throw new Error('usage: create-super-admin <email>  (password on stdin)');
  const password = await readPassword();
  const dataSource = await createDataSource({ url: process.env.DATABASE_URL!, poolSize: 1 }).initialize();
  try {
    const id = await upsertSuperAdmin(dataSource, email, password);
    console.log(`super admin ${email} (${id}) ready`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
