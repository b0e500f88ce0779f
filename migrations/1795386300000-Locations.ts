import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './support/tenancy';

/**
 * Locations with their geofences (a radius or a polygon/multipolygon, geography in WGS 84) and
 * every check-in with its verdict.
 *
 * The GiST indexes lead with tenant_id (btree_gist provides the uuid operator class): a tenant's
 * nearest-neighbour and containment searches walk its own locations only, and the indexes split
 * by tenant as the tables would under Citus.
 */
export class Locations1795386300000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    // A trusted extension: the database owner may create it without superuser rights.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await queryRunner.query(`
      CREATE TABLE "locations" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "address" character varying(500), "external_id" character varying(200), "position" geography(Point,4326) NOT NULL, "radius_m" double precision, "geofence" geography(Geometry,4326), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "locations_geofence_type_check" CHECK ("geofence" IS NULL OR GeometryType("geofence"::geometry) IN ('POLYGON', 'MULTIPOLYGON')), CONSTRAINT "locations_radius_check" CHECK ("radius_m" IS NULL OR ("radius_m" >= 10 AND "radius_m" <= 5000)), CONSTRAINT "locations_one_geofence_check" CHECK (("radius_m" IS NULL) <> ("geofence" IS NULL)), CONSTRAINT "PK_6bea971aa7df41d9a3a7b368b93" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX "locations_external_id_key" ON "locations" ("tenant_id", "external_id") WHERE "deleted_at" IS NULL AND "external_id" IS NOT NULL`);
    await queryRunner.query(`
      CREATE INDEX "locations_created_idx" ON "locations" ("tenant_id", "created_at", "id") WHERE "deleted_at" IS NULL`);
    await queryRunner.query(`
      CREATE INDEX "locations_radius_idx" ON "locations" ("tenant_id", "radius_m") WHERE "deleted_at" IS NULL AND "radius_m" IS NOT NULL`);
    await queryRunner.query(`
      CREATE INDEX "locations_geofence_gist" ON "locations" USING gist ("tenant_id", "geofence") WHERE "deleted_at" IS NULL AND "geofence" IS NOT NULL`);
    await queryRunner.query(`
      CREATE INDEX "locations_position_gist" ON "locations" USING gist ("tenant_id", "position") WHERE "deleted_at" IS NULL`);
    await queryRunner.query(`
      CREATE TABLE "checkins" ("tenant_id" uuid NOT NULL, "id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "location_id" uuid, "position" geography(Point,4326) NOT NULL, "accuracy_m" double precision, "distance_m" double precision, "device" jsonb NOT NULL DEFAULT '{}', "verified" boolean NOT NULL, "reasons" text array NOT NULL DEFAULT '{}', "activity_id" uuid, "points_awarded" bigint NOT NULL DEFAULT '0', "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a222aa4e47767220b88edc8f543" PRIMARY KEY ("tenant_id", "id"))`);
    await queryRunner.query(`
      CREATE INDEX "checkins_location_idx" ON "checkins" ("tenant_id", "location_id", "occurred_at", "verified")`);
    await queryRunner.query(`
      CREATE INDEX "checkins_customer_idx" ON "checkins" ("tenant_id", "customer_id", "occurred_at")`);
    await queryRunner.query(`
      ALTER TABLE "locations" ADD CONSTRAINT "FK_0d60360876129137646731c60c7" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "checkins" ADD CONSTRAINT "FK_17ce6b7bb0e7acaa4bb14c68e53" FOREIGN KEY ("tenant_id", "customer_id") REFERENCES "customers"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`
      ALTER TABLE "checkins" ADD CONSTRAINT "FK_c6a1a420bd8f1cf4098abad7e74" FOREIGN KEY ("tenant_id", "location_id") REFERENCES "locations"("tenant_id","id") ON DELETE CASCADE ON UPDATE NO ACTION`);

    await enableTenantIsolation(queryRunner, 'locations');
    await enableTenantIsolation(queryRunner, 'checkins');
  }

  async down(): Promise<void> {
    throw new Error('Not reversible: restore from a backup instead.');
  }
}
