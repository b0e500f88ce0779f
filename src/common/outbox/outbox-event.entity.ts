import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { TenantEntity } from '../../modules/tenants/tenant.entity';

/**
 * A domain event written in the same transaction as the change it describes. The relay (a later
 * issue) publishes unpublished rows to BullMQ; the event id becomes the job id, so a row
 * published twice is still delivered once.
 */
@Entity({ name: 'outbox' })
@Index('outbox_unpublished_idx', ['tenantId', 'sequence'], { where: '"published_at" IS NULL' })
export class OutboxEventEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  /** Publication order: events of one transaction share created_at, never their sequence. */
  @Column({ type: 'bigint' })
  @Generated('increment')
  sequence!: string;

  /** points.earned, tier.changed, activity.recorded, ... */
  @Column({ type: 'varchar', length: 100 })
  eventType!: string;

  @Column({ type: 'varchar', length: 50 })
  aggregateType!: string;

  @Column({ type: 'uuid' })
  aggregateId!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
