import {
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  Column,
} from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { EventEntity } from './event.entity';

/** A customer's registration for an event: it holds one of the event's seats. One per customer. */
@Entity({ name: 'event_registrations' })
@Unique('event_registrations_event_customer_key', ['tenantId', 'eventId', 'customerId'])
export class EventRegistrationEntity {
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

  @CreateDateColumn({ type: 'timestamptz' })
  registeredAt!: Date;
}
