import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';

export type AuditActorType = 'user' | 'super_admin' | 'api_key' | 'anonymous' | 'system';

/**
 * One administrative action. Insert-only: the application role may insert and read audit rows
 * but holds no UPDATE or DELETE privilege on the table (see the migration).
 */
@Entity({ name: 'audit_log' })
@Index('audit_log_recent_idx', ['tenantId', 'occurredAt', 'id'])
@Index('audit_log_target_idx', ['tenantId', 'targetType', 'targetId'])
@Index('audit_log_action_idx', ['tenantId', 'action', 'occurredAt'])
export class AuditEntryEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 20 })
  actorType!: AuditActorType;

  @Column({ type: 'varchar', length: 100, nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  actorRole!: string | null;

  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ type: 'varchar', length: 50 })
  targetType!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  targetId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after!: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;
}
