import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './support/tenancy';

export class Accounts1795382794871 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "platform_admins" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "email" citext NOT NULL,
        "password_hash" text NOT NULL,
        "first_name" character varying(100) NOT NULL DEFAULT '',
        "last_name" character varying(100) NOT NULL DEFAULT '',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_7ddfa7abfaf477f671ccc566c83" UNIQUE ("email"),
        CONSTRAINT "PK_faecb3398d1962507b44c76e4f0" PRIMARY KEY ("id"))`);

    await queryRunner.query(`
      CREATE TABLE "users" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "email" citext NOT NULL,
        "password_hash" text,
        "role" character varying(20) NOT NULL,
        "first_name" character varying(100) NOT NULL DEFAULT '',
        "last_name" character varying(100) NOT NULL DEFAULT '',
        "status" character varying(20) NOT NULL DEFAULT 'active',
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "users_tenant_email_key" UNIQUE ("tenant_id", "email"),
        CONSTRAINT "users_status_check" CHECK ("status" IN ('active', 'disabled', 'deleted')),
        CONSTRAINT "users_role_check" CHECK ("role" IN ('customer', 'staff', 'admin', 'owner')),
        CONSTRAINT "PK_96bb2f14a3cd3f8e046898b08b4" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      ALTER TABLE "users" ADD CONSTRAINT "FK_109638590074998bb72a2f2cf08"
        FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await enableTenantIsolation(queryRunner, 'users');
  }

  async down(): Promise<void> {
    throw new Error('Not reversible: restore from a backup instead.');
  }
}
