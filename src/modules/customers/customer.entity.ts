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
 * A member of a tenant's loyalty program. A customer who signs in has a user account with the
 * same id; one pushed by a tenant's server may exist only here, known by its `external_id`.
 * Erasure blanks every personal field and keeps the row (and its ledger) for accounting.
 */
@Entity({ name: 'customers' })
@Index('customers_external_id_key', ['tenantId', 'externalId'], { unique: true, where: '"external_id" IS NOT NULL' })
@Index('customers_email_idx', ['tenantId', 'email'])
@Index('customers_created_idx', ['tenantId', 'createdAt', 'id'])
@Check('customers_status_check', `"status" IN ('active', 'erased')`)
export class CustomerEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 200, nullable: true })
  externalId!: string | null;

  @Column({ type: 'citext', nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 100, default: '' })
  firstName!: string;

  @Column({ type: 'varchar', length: 100, default: '' })
  lastName!: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  phone!: string | null;

  @Column({ type: 'date', nullable: true })
  birthday!: string | null;

  @Column({ type: 'jsonb', default: {} })
  preferences!: Record<string, unknown>;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  segments!: string[];

  @Column({ type: 'boolean', default: false })
  marketingOptIn!: boolean;

  @Column({ type: 'boolean', default: false })
  leaderboardOptOut!: boolean;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status!: 'active' | 'erased';

  @Column({ type: 'timestamptz', nullable: true })
  erasedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
