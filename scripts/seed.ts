import { loadEnvFile } from '../src/config/env-file';
import { createDataSource } from '../src/database/data-source';
import { runWithoutTenant } from '../src/database/tenant-transaction';
import { upsertSuperAdmin } from '../src/modules/accounts/super-admins';

/** Demo data for local development. Safe to run again: it only adds what is missing. */
async function main(): Promise<void> {
  loadEnvFile();
  if (process.env.NODE_ENV === 'production') throw new Error('The demo seed never runs in production.');
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const dataSource = await createDataSource({ url, poolSize: 1, applicationName: 'beacon-seed' }).initialize();
  try {
    const [tenant] = (await runWithoutTenant(dataSource, (manager) =>
      manager.query(
        `INSERT INTO tenants (slug, name, plan) VALUES ('demo', 'Demo Coffee Co.', 'growth')
         ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id, slug`,
      ),
    )) as Array<{ id: string; slug: string }>;
    console.log(`demo tenant "${tenant.slug}" (${tenant.id}) ready`);
    const email = process.env.SEED_SUPER_ADMIN_EMAIL;
    const password = process.env.SEED_SUPER_ADMIN_PASSWORD;
    if (email && password) {
      await upsertSuperAdmin(dataSource, email, password);
      console.log(`super admin ${email} ready`);
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
