import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';

/**
 * A place where customers check in. Its geofence is either a radius around `position` or a
 * polygon/multipolygon (`geofence`), never both. Deleting a location stamps `deleted_at` so its
 * check-ins keep their history; every index serves live locations only.
 */
@Entity({ name: 'locations' })
@Index('locations_position_gist', ['tenantId', 'position'], { spatial: true, where: '"deleted_at" IS NULL' })
@Index('locations_geofence_gist', ['tenantId', 'geofence'], {
  spatial: true,
  where: '"deleted_at" IS NULL AND "geofence" IS NOT NULL',
})
@Index('locations_radius_idx', ['tenantId', 'radiusM'], { where: '"deleted_at" IS NULL AND "radius_m" IS NOT NULL' })
@Index('locations_created_idx', ['tenantId', 'createdAt', 'id'], { where: '"deleted_at" IS NULL' })
@Index('locations_external_id_key', ['tenantId', 'externalId'], {
  unique: true,
  where: '"deleted_at" IS NULL AND "external_id" IS NOT NULL',
})
@Check('locations_one_geofence_check', `("radius_m" IS NULL) <> ("geofence" IS NULL)`)
@Check('locations_radius_check', `"radius_m" IS NULL OR ("radius_m" >= 10 AND "radius_m" <= 5000)`)
@Check(
  'locations_geofence_type_check',
  `"geofence" IS NULL OR GeometryType("geofence"::geometry) IN ('POLYGON', 'MULTIPOLYGON')`,
)
export class LocationEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  address!: string | null;

  /** The tenant's own id for the place (an imported feature's `id`); unique among live locations. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  externalId!: string | null;

  @Column({ type: 'geography', spatialFeatureType: 'Point', srid: 4326 })
  position!: string;

  /** Metres around `position`, when the geofence is a radius. */
  @Column({ type: 'double precision', nullable: true })
  radiusM!: number | null;

  /** A Polygon or MultiPolygon, when the geofence is an area. */
  @Column({ type: 'geography', spatialFeatureType: 'Geometry', srid: 4326, nullable: true })
  geofence!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
