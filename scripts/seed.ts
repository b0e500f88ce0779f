import { loadEnvFile } from '../src/config/env-file';
import { createDataSource } from '../src/database/data-source';
import { upsertSuperAdmin } from '../src/modules/accounts/super-admins';
import { DEMO_CUSTOMERS, DEMO_OWNER } from './seed/demo-content';
import { seedDemo } from './seed/seed-demo';

/** Demo data for local development (see seed/seed-demo.ts). Safe to run again: it only adds what is missing. */
async function main(): Promise<void> {
  loadEnvFile();
  if (process.env.NODE_ENV === 'production') throw new Error('The demo seed never runs in production.');
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const email = process.env.SEED_SUPER_ADMIN_EMAIL;
  const password = process.env.SEED_SUPER_ADMIN_PASSWORD;
  const dataSource = await createDataSource({ url, poolSize: 1, applicationName: 'beacon-seed' }).initialize();
  try {
    // The demo owner and customers sign in with the seed super admin's password (development only).
    const { tenantId, slug, added } = await seedDemo(dataSource, { password });
    const summary = Object.entries(added)
      .filter(([, count]) => count > 0)
      .map(([area, count]) => `${count} ${area.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`)}`);
    console.log(`demo tenant "${slug}" (${tenantId}) ready; added ${summary.length ? summary.join(', ') : 'nothing'}`);
    console.log(
      `  owner ${DEMO_OWNER.email}; customers ${DEMO_CUSTOMERS.map((customer) => customer.email).join(', ')}`,
    );
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
