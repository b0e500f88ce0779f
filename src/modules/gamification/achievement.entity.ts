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
import type { AchievementCriteria } from './achievement-criteria';

/**
 * A badge customers unlock by meeting its criteria (achievement-criteria.ts), optionally worth
 * points. Deleting one only marks it: the badges already earned keep pointing at it.
 */
@Entity({ name: 'achievements' })
@Index('achievements_created_idx', ['tenantId', 'createdAt', 'id'])
@Check('achievements_points_check', `"points" >= 0`)
export class AchievementEntity {
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

  @Column({ type: 'varchar', length: 2000, nullable: true })
  iconUrl!: string | null;

  @Column({ type: 'jsonb' })
  criteria!: AchievementCriteria;

  /** Points credited once, when the badge is unlocked. */
  @Column({ type: 'integer', default: 0 })
  points!: number;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
