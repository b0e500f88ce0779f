import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';

/**
 * A level of access to exclusive content, held by the customers whose tier reaches `tier_id`
 * (everyone when null). No foreign key to the tier: a level whose tier was deleted is held by
 * nobody, rather than blocking the ladder's edits or silently opening to all.
 */
@Entity({ name: 'access_levels' })
@Unique('access_levels_name_key', ['tenantId', 'name'])
export class AccessLevelEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'uuid', nullable: true })
  tierId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
