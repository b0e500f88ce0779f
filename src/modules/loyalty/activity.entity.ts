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

/**
 * Something a customer did that may earn points: a purchase, a refund, a verified check-in, ...
 * A refund points at its purchase through `refund_of`; `refunded_amount` on the purchase grows
 * with each partial refund and never passes `amount`.
 */
@Entity({ name: 'activities' })
@Index('activities_customer_idx', ['tenantId', 'customerId', 'type', 'occurredAt'])
@Index('activities_reference_idx', ['tenantId', 'type', 'reference'])
export class ActivityEntity {
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

  @Column({ type: 'uuid' })
  programId!: string;

  /** purchase, refund, check_in, event_attendance, signup, referral, birthday, survey, challenge_completed or custom:<name>. */
  @Column({ type: 'varchar', length: 80 })
  type!: string;

  @Column({ type: 'bigint', nullable: true })
  amount!: string | null;

  @Column({ type: 'char', length: 3, nullable: true })
  currency!: string | null;

  @Column({ type: 'jsonb', default: [] })
  items!: unknown[];

  @Column({ type: 'varchar', length: 40, nullable: true })
  channel!: string | null;

  @Column({ type: 'uuid', nullable: true })
  locationId!: string | null;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reference!: string | null;

  @Column({ type: 'uuid', nullable: true })
  refundOf!: string | null;

  @Column({ type: 'bigint', default: 0 })
  refundedAmount!: string;

  @Column({ type: 'jsonb', default: {} })
  attributes!: Record<string, unknown>;

  @Column({ type: 'bigint', default: 0 })
  pointsAwarded!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  source!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
