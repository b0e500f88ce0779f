import { MigrationInterface, QueryRunner } from 'typeorm';
import { applicationRole, enableTenantIsolation, quoteIdent } from './support/tenancy';

/**
 * Identity and tenancy: refresh and password-reset tokens (tenant users and super admins apart,
 * since only tenant rows live under row-level security), TOTP columns, API keys, the audit log and
 * loyalty programs (provisioning creates a default one).
 */
export class IdentityAndTenancy1795383338269 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "api_keys" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "secret_hash" character(64) NOT NULL, "scopes" text array NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "api_keys_tenant_prefix_key" UNIQUE ("tenant_id", "prefix"), CONSTRAINT "PK_63391bb25a8c6e1c50de701375f" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE TABLE "password_reset_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, CONSTRAINT "PK_19294d6354c9af827fd217765d4" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE TABLE "platform_password_reset_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "admin_id" uuid NOT NULL, CONSTRAINT "PK_ddfdf0c836a8b33e3a46cd6e926" PRIMARY KEY ("id"))`);
    await queryRunner.query(`
      CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "family_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(30), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, CONSTRAINT "PK_2bebd22f16e68b57c9e1f5fe7d9" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "refresh_tokens_user_idx" ON "refresh_tokens" ("tenant_id", "user_id")`);
    await queryRunner.query(`
      CREATE INDEX "refresh_tokens_family_idx" ON "refresh_tokens" ("tenant_id", "family_id")`);
    await queryRunner.query(`
      CREATE TABLE "platform_refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "family_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" character varying(30), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "admin_id" uuid NOT NULL, CONSTRAINT "PK_5c2e776a445e812f49b71d1bcfd" PRIMARY KEY ("id"))`);
    await queryRunner.query(`
      CREATE INDEX "platform_refresh_tokens_family_idx" ON "platform_refresh_tokens" ("family_id")`);
    await queryRunner.query(`
      CREATE TABLE "audit_log" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "actor_type" character varying(20) NOT NULL, "actor_id" character varying(100), "actor_role" character varying(20), "action" character varying(100) NOT NULL, "target_type" character varying(50) NOT NULL, "target_id" character varying(100), "before" jsonb, "after" jsonb, "ip" character varying(64), "request_id" character varying(128), CONSTRAINT "PK_7265cf4ae3bb55c806e54e54364" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "audit_log_action_idx" ON "audit_log" ("tenant_id", "action", "occurred_at")`);
    await queryRunner.query(`
      CREATE INDEX "audit_log_target_idx" ON "audit_log" ("tenant_id", "target_type", "target_id")`);
    await queryRunner.query(`
      CREATE INDEX "audit_log_recent_idx" ON "audit_log" ("tenant_id", "occurred_at", "id")`);
    await queryRunner.query(`
      CREATE TABLE "programs" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "point_name" character varying(40) NOT NULL DEFAULT 'points', "status" character varying(20) NOT NULL DEFAULT 'active', "is_default" boolean NOT NULL DEFAULT false, "earn_policy" jsonb NOT NULL DEFAULT '{}', "expiry_policy" jsonb NOT NULL DEFAULT '{"type":"never"}', "pending_days" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "programs_status_check" CHECK ("status" IN ('active', 'archived')), CONSTRAINT "PK_a6855d36230fa1bc9b3d62505e7" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      ALTER TABLE "platform_admins" ADD "mfa_secret" text`);
    await queryRunner.query(`
      ALTER TABLE "platform_admins" ADD "mfa_enabled_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      ALTER TABLE "platform_admins" ADD "password_changed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      ALTER TABLE "platform_admins" ADD "last_login_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      ALTER TABLE "users" ADD "mfa_secret" text`);
    await queryRunner.query(`
      ALTER TABLE "users" ADD "mfa_enabled_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      ALTER TABLE "users" ADD "password_changed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      ALTER TABLE "users" ADD "last_login_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`
      ALTER TABLE "api_keys" ADD CONSTRAINT "FK_3ac18429c8d27858d79432e0dda" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "password_reset_tokens" ADD CONSTRAINT "FK_2dfa9d1f1d9ef007b22a201f63b" FOREIGN KEY ("tenant_id", "user_id") REFERENCES "users"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "platform_password_reset_tokens" ADD CONSTRAINT "FK_27648715129e19d71414121f2ba" FOREIGN KEY ("admin_id") REFERENCES "platform_admins"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_bb32cefeb2991138658b95f0658" FOREIGN KEY ("tenant_id", "user_id") REFERENCES "users"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "platform_refresh_tokens" ADD CONSTRAINT "FK_679ee8d329a3d1cd376037b3a4f" FOREIGN KEY ("admin_id") REFERENCES "platform_admins"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "audit_log" ADD CONSTRAINT "FK_8ce0776c154c443e780270bbd7f" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "programs" ADD CONSTRAINT "FK_2d780da44a2518c4f1b71eda398" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    for (const table of ['api_keys', 'password_reset_tokens', 'refresh_tokens', 'audit_log', 'programs']) {
      await enableTenantIsolation(queryRunner, table);
    }
    // The audit log is insert-only for the application: it can write and read, never rewrite.
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "audit_log" FROM ${quoteIdent(applicationRole())}`);
  }

  async down(): Promise<void> {
    throw new Error('Not reversible: restore from a backup instead.');
  }
}
