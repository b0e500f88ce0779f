import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { LocationEntity } from './location.entity';

/**
 * Every check-in attempt, verified or not, with what the device reported and the verdict: the
 * evidence behind each point earned and the raw material of fraud review and location analytics.
 */
@Entity({ name: 'checkins' })
@Index('checkins_customer_idx', ['tenantId', 'customerId', 'occurredAt'])
// Location analytics count by location and hour with an index-only scan of this index.
@Index('checkins_location_idx', ['tenantId', 'locationId', 'occurredAt', 'verified'])
export class CheckinEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'customer_id', referencedColumnName: 'id' },
  ])
  customer?: CustomerEntity;

  /** The location checked in at; null when none was found (reason no_location_found). */
  @Column({ type: 'uuid', nullable: true })
  locationId!: string | null;

  @ManyToOne(() => LocationEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'location_id', referencedColumnName: 'id' },
  ])
  location?: LocationEntity;

  /** Where the device said it was. */
  @Column({ type: 'geography', spatialFeatureType: 'Point', srid: 4326 })
  position!: string;

  /** The accuracy radius the device reported, in metres. */
  @Column({ type: 'double precision', nullable: true })
  accuracyM!: number | null;

  /** Metres from the location's point (null without a location). */
  @Column({ type: 'double precision', nullable: true })
  distanceM!: number | null;

  @Column({ type: 'jsonb', default: {} })
  device!: Record<string, unknown>;

  @Column({ type: 'boolean' })
  verified!: boolean;

  /** Why it was not verified: outside_geofence, accuracy_too_low, cooldown, daily_limit, impossible_travel, no_location_found. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  reasons!: string[];

  /** The activity a verified check-in recorded (and through which it earned). */
  @Column({ type: 'uuid', nullable: true })
  activityId!: string | null;

  @Column({ type: 'bigint', default: 0 })
  pointsAwarded!: string;

  /** Server time: a device's clock is not evidence. */
  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
