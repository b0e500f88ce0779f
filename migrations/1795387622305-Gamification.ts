import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './support/tenancy';

const TENANT_TABLES = [
  'achievements',
  'customer_achievements',
  'challenges',
  'challenge_participants',
  'access_levels',
  'content_items',
];

/**
 * Gamification: achievements and the badges customers unlocked (one per customer and achievement,
 * by a unique key), time-boxed personal and community challenges with their participants, access
 * levels mapped from tiers and the exclusive content they open. Leaderboards live in Redis and
 * are rebuilt from the ledger, so they have no table.
 */
export class Gamification1795387622305 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "access_levels" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "description" text NOT NULL DEFAULT '', "tier_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "access_levels_name_key" UNIQUE ("tenant_id", "name"), CONSTRAINT "PK_b22ab3d27bb0f2c25aafd21fe13" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE TABLE "achievements" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "description" text NOT NULL DEFAULT '', "icon_url" character varying(2000), "criteria" jsonb NOT NULL, "points" integer NOT NULL DEFAULT '0', "active" boolean NOT NULL DEFAULT true, "deleted_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "achievements_points_check" CHECK ("points" >= 0), CONSTRAINT "PK_cc27f52ec2a02e1eadb1a7db05c" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "achievements_created_idx" ON "achievements" ("tenant_id", "created_at", "id")`);
    await queryRunner.query(`
      CREATE TABLE "challenges" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "description" text NOT NULL DEFAULT '', "kind" character varying(20) NOT NULL, "goal" jsonb NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "join_mode" character varying(20) NOT NULL DEFAULT 'explicit', "points" integer NOT NULL DEFAULT '0', "progress" bigint NOT NULL DEFAULT '0', "completed_at" TIMESTAMP WITH TIME ZONE, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "challenges_points_check" CHECK ("points" >= 0 AND "progress" >= 0), CONSTRAINT "challenges_window_check" CHECK ("ends_at" > "starts_at"), CONSTRAINT "challenges_join_mode_check" CHECK ("join_mode" IN ('explicit', 'automatic')), CONSTRAINT "challenges_kind_check" CHECK ("kind" IN ('personal', 'community')), CONSTRAINT "PK_fe4996b8e03166af7a2c1f0536f" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "challenges_created_idx" ON "challenges" ("tenant_id", "created_at", "id")`);
    await queryRunner.query(`
      CREATE INDEX "challenges_window_idx" ON "challenges" ("tenant_id", "ends_at", "starts_at")`);
    await queryRunner.query(`
      CREATE TABLE "challenge_participants" ("tenant_id" uuid NOT NULL, "challenge_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "progress" bigint NOT NULL DEFAULT '0', "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, "completion_activity_id" uuid, CONSTRAINT "challenge_participants_progress_check" CHECK ("progress" >= 0), CONSTRAINT "PK_c75ca18bd93e44d20773c920255" PRIMARY KEY ("tenant_id", "challenge_id", "customer_id"))`);
    await queryRunner.query(`
      CREATE INDEX "challenge_participants_unsettled_idx" ON "challenge_participants" ("tenant_id", "challenge_id") WHERE "completed_at" IS NULL`);
    await queryRunner.query(`
      CREATE INDEX "challenge_participants_customer_idx" ON "challenge_participants" ("tenant_id", "customer_id", "joined_at")`);
    await queryRunner.query(`
      CREATE TABLE "content_items" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" character varying(200) NOT NULL, "body" text, "url" character varying(2000), "required_level_id" uuid, "published" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "content_items_body_or_url_check" CHECK ("body" IS NOT NULL OR "url" IS NOT NULL), CONSTRAINT "PK_48141eadf46cbf1f88dfe6b70d8" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "content_items_created_idx" ON "content_items" ("tenant_id", "created_at", "id")`);
    await queryRunner.query(`
      CREATE TABLE "customer_achievements" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "achievement_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "activity_id" uuid, "points_awarded" integer NOT NULL DEFAULT '0', "unlocked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "customer_achievements_achievement_customer_key" UNIQUE ("tenant_id", "achievement_id", "customer_id"), CONSTRAINT "PK_94404b34d9731d63b0e27a56f12" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "customer_achievements_customer_idx" ON "customer_achievements" ("tenant_id", "customer_id", "unlocked_at")`);
    await queryRunner.query(`
      ALTER TABLE "access_levels" ADD CONSTRAINT "FK_104ac6910ba8dee3730897cd3a3" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "achievements" ADD CONSTRAINT "FK_55fb96f0946e08cb30942ea8fd2" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "challenges" ADD CONSTRAINT "FK_0644994f19ee2a55ef570ec5790" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "challenge_participants" ADD CONSTRAINT "FK_839b9864673704e294963e9db98" FOREIGN KEY ("tenant_id", "challenge_id") REFERENCES "challenges"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "challenge_participants" ADD CONSTRAINT "FK_9dec690bf1a66d81f6221180384" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "customers"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "content_items" ADD CONSTRAINT "FK_dc9565e624add6c87c91d55e246" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "content_items" ADD CONSTRAINT "FK_16b7047fe618a50b49aa42dc422" FOREIGN KEY ("tenant_id", "required_level_id") REFERENCES "access_levels"("tenant_id","id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "customer_achievements" ADD CONSTRAINT "FK_81d8064fa8118c8acc38ad9cfa5" FOREIGN KEY ("tenant_id", "achievement_id") REFERENCES "achievements"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "customer_achievements" ADD CONSTRAINT "FK_2e186ee2d249b1a1a0ba16d4e8b" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "customers"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    for (const table of TENANT_TABLES) await enableTenantIsolation(queryRunner, table);
  }

  async down(): Promise<void> {
    throw new Error('Not reversible: restore from a backup instead.');
  }
}
