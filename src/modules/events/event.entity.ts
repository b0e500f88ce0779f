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
import type { EventStatus, EventType } from './event-schedule';

/**
 * A community event (workshop, meetup, ...) that customers register for and attend. Cancelling
 * keeps the row, its registrations and its attendance. `location_id` names one of the tenant's
 * locations when the event happens at one (its geofence can then be checked at check-in);
 * `location` is free text for anywhere else.
 */
@Entity({ name: 'events' })
@Index('events_date_idx', ['tenantId', 'eventDate', 'id'])
@Index('events_type_date_idx', ['tenantId', 'eventType', 'eventDate'])
@Check('events_status_check', `"status" IN ('scheduled', 'cancelled')`)
@Check('events_ends_after_start_check', `"ends_at" IS NULL OR "ends_at" > "event_date"`)
@Check('events_max_attendees_check', `"max_attendees" IS NULL OR "max_attendees" > 0`)
export class EventEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'varchar', length: 40 })
  eventType!: EventType;

  /** The start. */
  @Column({ type: 'timestamptz' })
  eventDate!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endsAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  locationId!: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  location!: string | null;

  @Column({ type: 'integer', nullable: true })
  maxAttendees!: number | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  registrationUrl!: string | null;

  /** QR check-ins must then send coordinates inside the location's geofence. */
  @Column({ type: 'boolean', default: false })
  geofenceRequired!: boolean;

  @Column({ type: 'varchar', length: 20, default: 'scheduled' })
  status!: EventStatus;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
