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
  Unique,
} from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import type { CheckInMethod } from './event-schedule';
import { EventEntity } from './event.entity';

/**
 * A customer's attendance at an event, recorded by staff or by scanning the event's QR code.
 * One per customer and event; written in the transaction that earns its points
 * (`activity_id` is the event_attendance activity).
 */
@Entity({ name: 'event_attendance' })
@Unique('event_attendance_event_customer_key', ['tenantId', 'eventId', 'customerId'])
@Index('event_attendance_customer_idx', ['tenantId', 'customerId', 'checkedInAt', 'id'])
@Check('event_attendance_method_check', `"check_in_method" IN ('manual', 'qr_code')`)
export class EventAttendanceEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  eventId!: string;

  @ManyToOne(() => EventEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'event_id', referencedColumnName: 'id' },
  ])
  event?: EventEntity;

  @Column({ type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'customer_id', referencedColumnName: 'id' },
  ])
  customer?: CustomerEntity;

  @Column({ type: 'varchar', length: 20 })
  checkInMethod!: CheckInMethod;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  notes!: string | null;

  /** Who recorded it: `user:<id>` (staff or the customer), `key:<id>`. */
  @Column({ type: 'varchar', length: 100 })
  recordedBy!: string;

  @Column({ type: 'uuid', nullable: true })
  activityId!: string | null;

  @Column({ type: 'bigint', default: 0 })
  pointsAwarded!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  checkedInAt!: Date;
}
