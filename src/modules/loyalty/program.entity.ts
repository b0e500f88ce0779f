import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';

/** A loyalty program of a tenant. Provisioning creates one marked as the default. */
@Entity({ name: 'programs' })
@Check('programs_status_check', `"status" IN ('active', 'archived')`)
@Check('programs_pending_days_check', `"pending_days" >= 0`)
export class ProgramEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 40, default: 'points' })
  pointName!: string;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status!: 'active' | 'archived';

  @Column({ type: 'boolean', default: false })
  isDefault!: boolean;

  @Column({ type: 'jsonb', default: {} })
  earnPolicy!: Record<string, unknown>;

  @Column({ type: 'jsonb', default: { type: 'never' } })
  expiryPolicy!: Record<string, unknown>;

  @Column({ type: 'integer', default: 0 })
  pendingDays!: number;

  /** How tiers fall when a customer no longer qualifies: never, at period end, one step at a time. */
  @Column({ type: 'varchar', length: 20, default: 'never' })
  tierDowngradePolicy!: 'never' | 'period_end' | 'one_step';

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
