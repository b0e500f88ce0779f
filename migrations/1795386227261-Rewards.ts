import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './support/tenancy';

const TENANT_TABLES = ['rewards', 'redemptions', 'redemption_lots'];

/**
 * The rewards catalog and its redemptions: rewards with their stock (never below zero), the
 * redemptions with their voucher codes (unique per tenant), and the lots each redemption's points
 * came from, so that a cancellation gives them back with their original expiry.
 */
export class Rewards1795386227261 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "rewards" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "program_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "description" text NOT NULL DEFAULT '', "category" character varying(60), "image_url" character varying(2000), "point_cost" integer NOT NULL, "quantity_available" integer, "start_date" TIMESTAMP WITH TIME ZONE, "end_date" TIMESTAMP WITH TIME ZONE, "min_tier_id" uuid, "per_customer_limit" integer, "location_ids" uuid array NOT NULL DEFAULT '{}', "voucher_valid_days" integer, "active" boolean NOT NULL DEFAULT true, "deleted_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "rewards_dates_check" CHECK ("end_date" > "start_date"), CONSTRAINT "rewards_voucher_valid_days_check" CHECK ("voucher_valid_days" > 0), CONSTRAINT "rewards_per_customer_limit_check" CHECK ("per_customer_limit" > 0), CONSTRAINT "rewards_quantity_available_check" CHECK ("quantity_available" >= 0), CONSTRAINT "rewards_point_cost_check" CHECK ("point_cost" > 0), CONSTRAINT "PK_29408348f6f60f0c68b9df0a756" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "rewards_created_idx" ON "rewards" ("tenant_id", "created_at", "id")`);
    await queryRunner.query(`
      CREATE INDEX "rewards_catalog_idx" ON "rewards" ("tenant_id", "point_cost", "id") WHERE "deleted_at" IS NULL AND "active"`);
    await queryRunner.query(`
      CREATE TABLE "redemptions" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "reward_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "account_id" uuid NOT NULL, "code" character varying(12) NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'pending', "points_used" integer NOT NULL, "transaction_id" uuid NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "fulfilled_at" TIMESTAMP WITH TIME ZONE, "fulfilled_by" character varying(100), "fulfilled_location_id" uuid, "cancelled_at" TIMESTAMP WITH TIME ZONE, "cancelled_by" character varying(100), "cancel_reason" character varying(500), "expired_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "redemptions_code_key" UNIQUE ("tenant_id", "code"), CONSTRAINT "redemptions_points_used_check" CHECK ("points_used" >= 0), CONSTRAINT "redemptions_status_check" CHECK ("status" IN ('pending', 'fulfilled', 'cancelled', 'expired')), CONSTRAINT "PK_f60f0cb41533211a0040eedce4a" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "redemptions_expiry_idx" ON "redemptions" ("tenant_id", "expires_at") WHERE "status" = 'pending'`);
    await queryRunner.query(`
      CREATE INDEX "redemptions_limit_idx" ON "redemptions" ("tenant_id", "reward_id", "customer_id") WHERE "status" IN ('pending', 'fulfilled')`);
    await queryRunner.query(`
      CREATE INDEX "redemptions_created_idx" ON "redemptions" ("tenant_id", "created_at", "id")`);
    await queryRunner.query(`
      CREATE INDEX "redemptions_customer_idx" ON "redemptions" ("tenant_id", "customer_id", "created_at", "id")`);
    await queryRunner.query(`
      CREATE TABLE "redemption_lots" ("tenant_id" uuid NOT NULL, "redemption_id" uuid NOT NULL, "lot_id" uuid NOT NULL, "points" bigint NOT NULL, CONSTRAINT "redemption_lots_points_check" CHECK ("points" > 0), CONSTRAINT "PK_7111b83664613b2f7595dc9e8a2" PRIMARY KEY ("tenant_id", "redemption_id", "lot_id"))`);
    await queryRunner.query(`
      ALTER TABLE "rewards" ADD CONSTRAINT "FK_f48080859d104a6106b1e436f33" FOREIGN KEY ("tenant_id", "program_id") REFERENCES "programs"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "redemptions" ADD CONSTRAINT "FK_dfc813b5a9c3ff330b43c32c793" FOREIGN KEY ("tenant_id", "reward_id") REFERENCES "rewards"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "redemptions" ADD CONSTRAINT "FK_bb2a4dec828e8c4fd2bf6581afe" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "customers"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "redemptions" ADD CONSTRAINT "FK_512ec73e7c60200a646447cc6ed" FOREIGN KEY ("tenant_id", "account_id") REFERENCES "loyalty_accounts"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "redemption_lots" ADD CONSTRAINT "FK_26b08ae9281ae9f852c0ec0f2c0" FOREIGN KEY ("tenant_id", "redemption_id") REFERENCES "redemptions"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "redemption_lots" ADD CONSTRAINT "FK_029365368170b37669ab94304cf" FOREIGN KEY ("tenant_id", "lot_id") REFERENCES "point_lots"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    for (const table of TENANT_TABLES) await enableTenantIsolation(queryRunner, table);
  }

  async down(): Promise<void> {
    throw new Error('Not reversible: restore from a backup instead.');
  }
}
