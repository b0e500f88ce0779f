import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './support/tenancy';

const TENANT_TABLES = ['events', 'event_registrations', 'event_attendance'];

/**
 * Community events: the events, customers' registrations (one seat each) and attendance (one per
 * customer and event, recorded by staff or by the event's QR code).
 */
export class CommunityEvents1795386142509 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "events" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "description" text NOT NULL DEFAULT '', "event_type" character varying(40) NOT NULL, "event_date" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE, "location_id" uuid, "location" character varying(300), "max_attendees" integer, "registration_url" character varying(2000), "geofence_required" boolean NOT NULL DEFAULT false, "status" character varying(20) NOT NULL DEFAULT 'scheduled', "cancelled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "events_max_attendees_check" CHECK ("max_attendees" IS NULL OR "max_attendees" > 0), CONSTRAINT "events_ends_after_start_check" CHECK ("ends_at" IS NULL OR "ends_at" > "event_date"), CONSTRAINT "events_status_check" CHECK ("status" IN ('scheduled', 'cancelled')), CONSTRAINT "PK_700597e26df59e1931a61cf8472" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "events_type_date_idx" ON "events" ("tenant_id", "event_type", "event_date")`);
    await queryRunner.query(`
      CREATE INDEX "events_date_idx" ON "events" ("tenant_id", "event_date", "id")`);
    await queryRunner.query(`
      CREATE TABLE "event_attendance" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "check_in_method" character varying(20) NOT NULL, "notes" character varying(1000), "recorded_by" character varying(100) NOT NULL, "activity_id" uuid, "points_awarded" bigint NOT NULL DEFAULT '0', "checked_in_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "event_attendance_event_customer_key" UNIQUE ("tenant_id", "event_id", "customer_id"), CONSTRAINT "event_attendance_method_check" CHECK ("check_in_method" IN ('manual', 'qr_code')), CONSTRAINT "PK_be8ff1458c10ee28507f4b0a7fa" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "event_attendance_customer_idx" ON "event_attendance" ("tenant_id", "customer_id", "checked_in_at", "id")`);
    await queryRunner.query(`
      CREATE TABLE "event_registrations" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "event_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "event_registrations_event_customer_key" UNIQUE ("tenant_id", "event_id", "customer_id"), CONSTRAINT "PK_161f17d1b8e089987ab671b3a68" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      ALTER TABLE "events" ADD CONSTRAINT "FK_098a5d310151924de7369f1336a" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "event_attendance" ADD CONSTRAINT "FK_6e5dea82b588411109c0acb8ce5" FOREIGN KEY ("tenant_id", "event_id") REFERENCES "events"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "event_attendance" ADD CONSTRAINT "FK_11eb575e2c0fd9b3146e17f2295" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "customers"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "event_registrations" ADD CONSTRAINT "FK_908e47cb513f7da15b8b485c274" FOREIGN KEY ("tenant_id", "event_id") REFERENCES "events"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "event_registrations" ADD CONSTRAINT "FK_e68b87a3ad1b83789f281b0b9ed" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "customers"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    for (const table of TENANT_TABLES) await enableTenantIsolation(queryRunner, table);
  }

  async down(): Promise<void> {
    throw new Error('Not reversible: restore from a backup instead.');
  }
}
