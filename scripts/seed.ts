import { loadEnvFile } from '../src/config/env-file';
import { createDataSource } from '../src/database/data-source';
import { runInTenant, runWithoutTenant } from '../src/database/tenant-transaction';
import { hashPassword } from '../src/modules/accounts/passwords';
import { upsertSuperAdmin } from '../src/modules/accounts/super-admins';
import { EMAIL_CONFLICT_TARGET } from '../src/modules/accounts/user.entity';

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
    const email = process.env.SEED_SUPER_ADMIN_EMAIL;
    const password = process.env.SEED_SUPER_ADMIN_PASSWORD;
    const ownerHash = password ? await hashPassword(password) : null;
    await runInTenant(dataSource, tenant.id, async (manager) => {
      // The demo owner signs in with the seed super admin's password (development only).
      await manager.query(
        `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name)
         VALUES ($1, 'owner@demo.beacon.local', $2, 'owner', 'Demo', 'Owner') ON CONFLICT ${EMAIL_CONFLICT_TARGET} DO NOTHING`,
        [tenant.id, ownerHash],
      );
      const [existing] = (await manager.query(`SELECT id FROM programs WHERE is_default`)) as Array<{ id: string }>;
      const program =
        existing ??
        (
          (await manager.query(
            `INSERT INTO programs (tenant_id, name, point_name, is_default, earn_policy, expiry_policy)
           VALUES ($1, 'Demo Coffee Rewards', 'beans', true, '{"rounding":"floor","max_points_per_activity":0}',
                   '{"type":"end_of_nth_month","months":12}')
           RETURNING id`,
            [tenant.id],
          )) as Array<{ id: string }>
        )[0];
      if (!existing) {
        await manager.query(
          `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold, basis, benefits) VALUES
             ($1, $2, 'Bronze', 0, 0, 'lifetime', '{"earn_multiplier":1}'),
             ($1, $2, 'Silver', 1, 500, 'lifetime', '{"earn_multiplier":1.25}'),
             ($1, $2, 'Gold', 2, 2000, 'lifetime', '{"earn_multiplier":1.5}')`,
          [tenant.id, program.id],
        );
        await manager.query(
          `INSERT INTO rules (tenant_id, program_id, name, rule_type, priority, effect, caps) VALUES
             ($1, $2, '1 bean per 1.00 spent', 'purchase', 10, '{"type":"points_per_unit","points":1,"per":100}',
              '{"per_customer":{"day":0,"week":0,"month":0,"lifetime":0},"budget_points":0}'),
             ($1, $2, 'Welcome bonus', 'signup', 10, '{"type":"fixed","points":100}',
              '{"per_customer":{"day":0,"week":0,"month":0,"lifetime":100},"budget_points":0}')`,
          [tenant.id, program.id],
        );
      }
    });
    console.log(`demo tenant "${tenant.slug}" (${tenant.id}) ready; owner owner@demo.beacon.local`);
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
