import { MigrationInterface, QueryRunner } from 'typeorm';
import { applicationRole, enableTenantIsolation, quoteIdent } from './support/tenancy';

const TENANT_TABLES = [
  'tiers',
  'rules',
  'customers',
  'loyalty_accounts',
  'point_transactions',
  'point_lots',
  'activities',
  'tier_changes',
  'outbox',
];

/**
 * The loyalty engine: tiers, rules, customers, accounts, the append-only points ledger and its
 * lots, activities, tier history and the transactional outbox.
 */
export class Loyalty1795384687165 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "outbox" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "sequence" BIGSERIAL NOT NULL, "event_type" character varying(100) NOT NULL, "aggregate_type" character varying(50) NOT NULL, "aggregate_id" uuid NOT NULL, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_e73f4dc2914267eb47f48ea28aa" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "outbox_unpublished_idx" ON "outbox" ("tenant_id", "sequence") WHERE "published_at" IS NULL`);
    await queryRunner.query(`
      CREATE TABLE "customers" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "external_id" character varying(200), "email" citext, "first_name" character varying(100) NOT NULL DEFAULT '', "last_name" character varying(100) NOT NULL DEFAULT '', "phone" character varying(40), "birthday" date, "preferences" jsonb NOT NULL DEFAULT '{}', "segments" text array NOT NULL DEFAULT '{}', "marketing_opt_in" boolean NOT NULL DEFAULT false, "leaderboard_opt_out" boolean NOT NULL DEFAULT false, "status" character varying(20) NOT NULL DEFAULT 'active', "erased_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "customers_status_check" CHECK ("status" IN ('active', 'erased')), CONSTRAINT "PK_9a71d04bf2e8484de2a9a71aa0b" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "customers_created_idx" ON "customers" ("tenant_id", "created_at", "id")`);
    await queryRunner.query(`
      CREATE INDEX "customers_email_idx" ON "customers" ("tenant_id", "email")`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX "customers_external_id_key" ON "customers" ("tenant_id", "external_id") WHERE "external_id" IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE "activities" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "program_id" uuid NOT NULL, "type" character varying(80) NOT NULL, "amount" bigint, "currency" character(3), "items" jsonb NOT NULL DEFAULT '[]', "channel" character varying(40), "location_id" uuid, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "reference" character varying(200), "refund_of" uuid, "refunded_amount" bigint NOT NULL DEFAULT '0', "attributes" jsonb NOT NULL DEFAULT '{}', "points_awarded" bigint NOT NULL DEFAULT '0', "source" character varying(100), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_387902d4bc4832dff84c7b29382" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "activities_reference_idx" ON "activities" ("tenant_id", "type", "reference")`);
    await queryRunner.query(`
      CREATE INDEX "activities_customer_idx" ON "activities" ("tenant_id", "customer_id", "type", "occurred_at")`);
    await queryRunner.query(`
      CREATE TABLE "loyalty_accounts" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "program_id" uuid NOT NULL, "balance" bigint NOT NULL DEFAULT '0', "pending_balance" bigint NOT NULL DEFAULT '0', "lifetime_points" bigint NOT NULL DEFAULT '0', "tier_id" uuid, "tier_since" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "loyalty_accounts_customer_program_key" UNIQUE ("tenant_id", "customer_id", "program_id"), CONSTRAINT "loyalty_accounts_balance_check" CHECK ("balance" >= 0 AND "pending_balance" >= 0 AND "lifetime_points" >= 0), CONSTRAINT "PK_e60f1c1d800de0d6aa04031f94b" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE TABLE "point_lots" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "transaction_id" uuid NOT NULL, "points" bigint NOT NULL, "remaining" bigint NOT NULL, "earned_at" TIMESTAMP WITH TIME ZONE NOT NULL, "available_at" TIMESTAMP WITH TIME ZONE NOT NULL, "pending" boolean NOT NULL DEFAULT false, "expires_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "point_lots_remaining_check" CHECK ("remaining" >= 0 AND "remaining" <= "points"), CONSTRAINT "PK_aec73a2d18ce218a8616e904809" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "point_lots_pending_idx" ON "point_lots" ("tenant_id", "available_at") WHERE "pending"`);
    await queryRunner.query(`
      CREATE INDEX "point_lots_expiry_idx" ON "point_lots" ("tenant_id", "expires_at") WHERE "remaining" > 0`);
    await queryRunner.query(`
      CREATE INDEX "point_lots_spend_order_idx" ON "point_lots" ("tenant_id", "account_id", "expires_at", "earned_at") WHERE "remaining" > 0`);
    await queryRunner.query(`
      CREATE TABLE "point_transactions" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "type" character varying(20) NOT NULL, "points" bigint NOT NULL, "balance_after" bigint NOT NULL, "pending" boolean NOT NULL DEFAULT false, "activity_id" uuid, "rule_id" uuid, "reference" character varying(200), "reason" character varying(500), "shortfall" bigint NOT NULL DEFAULT '0', "actor" character varying(100), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "point_transactions_balance_after_check" CHECK ("balance_after" >= 0), CONSTRAINT "point_transactions_type_check" CHECK ("type" IN ('earn', 'redeem', 'adjust', 'expire', 'reverse')), CONSTRAINT "PK_ba1e4d615e7647d3d1ea3ee5743" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "point_transactions_activity_idx" ON "point_transactions" ("tenant_id", "activity_id")`);
    await queryRunner.query(`
      CREATE INDEX "point_transactions_rule_usage_idx" ON "point_transactions" ("tenant_id", "account_id", "rule_id", "created_at")`);
    await queryRunner.query(`
      CREATE INDEX "point_transactions_account_idx" ON "point_transactions" ("tenant_id", "account_id", "created_at", "id")`);
    await queryRunner.query(`
      CREATE TABLE "rules" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "program_id" uuid NOT NULL, "name" character varying(200) NOT NULL, "rule_type" character varying(40) NOT NULL, "custom_type" character varying(60), "priority" integer NOT NULL DEFAULT '0', "stacking" character varying(20) NOT NULL DEFAULT 'stackable', "conditions" jsonb NOT NULL DEFAULT '{}', "effect" jsonb NOT NULL, "caps" jsonb NOT NULL DEFAULT '{}', "start_date" date, "end_date" date, "active" boolean NOT NULL DEFAULT true, "points_awarded" bigint NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "rules_points_awarded_check" CHECK ("points_awarded" >= 0), CONSTRAINT "rules_stacking_check" CHECK ("stacking" IN ('stackable', 'exclusive')), CONSTRAINT "PK_5830e4c7e3dc9911b1e0cc4598c" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "rules_program_idx" ON "rules" ("tenant_id", "program_id", "rule_type")`);
    await queryRunner.query(`
      CREATE TABLE "tier_changes" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "account_id" uuid NOT NULL, "from_tier_id" uuid, "to_tier_id" uuid, "reason" character varying(40) NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4f7147e16570bdcd48a3fbe0eaf" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "tier_changes_account_idx" ON "tier_changes" ("tenant_id", "account_id", "changed_at")`);
    await queryRunner.query(`
      CREATE TABLE "tiers" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "program_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "rank" integer NOT NULL, "threshold" bigint NOT NULL, "basis" character varying(20) NOT NULL DEFAULT 'lifetime', "window_days" integer, "benefits" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "tiers_program_rank_key" UNIQUE ("tenant_id", "program_id", "rank"), CONSTRAINT "tiers_program_name_key" UNIQUE ("tenant_id", "program_id", "name"), CONSTRAINT "tiers_threshold_check" CHECK ("threshold" >= 0), CONSTRAINT "tiers_basis_check" CHECK ("basis" IN ('lifetime', 'qualifying')), CONSTRAINT "PK_8e09622e306473e60a0e22f0cf5" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      ALTER TABLE "programs" ADD "tier_downgrade_policy" character varying(20) NOT NULL DEFAULT 'never'`);
    await queryRunner.query(`
      ALTER TABLE "programs" ADD CONSTRAINT "programs_pending_days_check" CHECK ("pending_days" >= 0)`);
    await queryRunner.query(`
      ALTER TABLE "outbox" ADD CONSTRAINT "FK_fe22171ba67910d3b8262c83496" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "customers" ADD CONSTRAINT "FK_97913f35ac2e435a4463fb50a01" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "activities" ADD CONSTRAINT "FK_450613525f24e5f2a1e2532619b" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "customers"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "loyalty_accounts" ADD CONSTRAINT "FK_88365767834c8afe97925b0d5ba" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "customers"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "loyalty_accounts" ADD CONSTRAINT "FK_5f9af48e8a1a65b333bd846edc4" FOREIGN KEY ("tenant_id", "program_id") REFERENCES "programs"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "point_lots" ADD CONSTRAINT "FK_2a2ef2c3223cbaf3ea48d242f6e" FOREIGN KEY ("tenant_id", "account_id") REFERENCES "loyalty_accounts"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "point_transactions" ADD CONSTRAINT "FK_d47c6258a074c1975c39e7568f3" FOREIGN KEY ("tenant_id", "account_id") REFERENCES "loyalty_accounts"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "rules" ADD CONSTRAINT "FK_4baa1ce9f93faf5da8c93358007" FOREIGN KEY ("tenant_id", "program_id") REFERENCES "programs"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "tier_changes" ADD CONSTRAINT "FK_23e61466accd1baaa48043fd470" FOREIGN KEY ("tenant_id", "account_id") REFERENCES "loyalty_accounts"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "tiers" ADD CONSTRAINT "FK_0ab1c0865adec814dfbda6d3c89" FOREIGN KEY ("tenant_id", "program_id") REFERENCES "programs"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    for (const table of TENANT_TABLES) await enableTenantIsolation(queryRunner, table);
    // The ledger and the tier history are append-only for the application.
    const app = quoteIdent(applicationRole());
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "point_transactions" FROM ${app}`);
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "tier_changes" FROM ${app}`);
  }

  async down(): Promise<void> {
    throw new Error('Not reversible: restore from a backup instead.');
  }
}
