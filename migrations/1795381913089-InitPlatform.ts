import { MigrationInterface, QueryRunner } from 'typeorm';
import { applicationRole, enableTenantIsolation, quoteIdent } from './support/tenancy';

export class InitPlatform1795381913089 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const app = quoteIdent(applicationRole());
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS postgis`);
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS citext`);

    // The tenant of the current transaction, or NULL when none is set: policies compare against
    // it, so a query outside a tenant transaction matches no tenant-owned row.
    await queryRunner.query(`
      CREATE FUNCTION app_current_tenant() RETURNS uuid
      LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$`);

    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO ${app}`);
    await queryRunner.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
    );
    await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${app}`);

    await queryRunner.query(`
      CREATE TABLE "tenants" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "slug" character varying(40) NOT NULL,
        "name" character varying(200) NOT NULL,
        "status" character varying(20) NOT NULL DEFAULT 'active',
        "plan" character varying(40) NOT NULL DEFAULT 'starter',
        "settings" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_2310ecc5cb8be427097154b18fc" UNIQUE ("slug"),
        CONSTRAINT "tenants_slug_check" CHECK ("slug" ~ '^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$'),
        CONSTRAINT "tenants_status_check" CHECK ("status" IN ('active', 'suspended')),
        CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id"))`);
    // The platform registry: the application reads tenants (to authenticate) but never removes one.
    await queryRunner.query(`REVOKE DELETE ON "tenants" FROM ${app}`);

    await queryRunner.query(`
      CREATE TABLE "idempotency_keys" (
        "tenant_id" uuid NOT NULL,
        "actor_id" character varying(100) NOT NULL,
        "key" character varying(255) NOT NULL,
        "method" character varying(10) NOT NULL,
        "path" character varying(500) NOT NULL,
        "request_hash" character(64) NOT NULL,
        "status_code" integer,
        "response_body" jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_7607ae6f014e7102ae2edc30a20" PRIMARY KEY ("tenant_id", "actor_id", "key"))`);
    await queryRunner.query(
      `CREATE INDEX "idempotency_keys_expiry_idx" ON "idempotency_keys" ("tenant_id", "expires_at")`,
    );
    await queryRunner.query(`
      ALTER TABLE "idempotency_keys" ADD CONSTRAINT "FK_c22d37ec13b71da74d7b4372c3f"
        FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await enableTenantIsolation(queryRunner, 'idempotency_keys');
  }

  async down(): Promise<void> {
    throw new Error('The initial migration is not reversible: drop the database instead.');
  }
}
