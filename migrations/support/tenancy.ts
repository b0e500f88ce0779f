import { QueryRunner } from 'typeorm';

/**
 * The login role the application connects as (the user of DATABASE_URL). Migrations grant it
 * table privileges; it is never the owner, so row-level security always applies to it.
 */
export function applicationRole(): string {
  if (process.env.DATABASE_APP_ROLE) return process.env.DATABASE_APP_ROLE;
  if (process.env.DATABASE_URL) return decodeURIComponent(new URL(process.env.DATABASE_URL).username);
  return 'beacon_app';
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Row-level security, enabled and forced (the owner too is bound), on a tenant-owned table: a
 * row is visible and writable only inside a transaction whose `app.tenant_id` is its tenant.
 */
export async function enableTenantIsolation(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`ALTER TABLE ${quoteIdent(table)} ENABLE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE ${quoteIdent(table)} FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(
    `CREATE POLICY tenant_isolation ON ${quoteIdent(table)}
       USING (tenant_id = app_current_tenant())
       WITH CHECK (tenant_id = app_current_tenant())`,
  );
}

export async function disableTenantIsolation(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`DROP POLICY IF EXISTS tenant_isolation ON ${quoteIdent(table)}`);
  await queryRunner.query(`ALTER TABLE ${quoteIdent(table)} NO FORCE ROW LEVEL SECURITY`);
  await queryRunner.query(`ALTER TABLE ${quoteIdent(table)} DISABLE ROW LEVEL SECURITY`);
}
