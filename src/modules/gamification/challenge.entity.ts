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
import type { ChallengeGoal, ChallengeKind, JoinMode } from './challenge-goal';

/**
 * A time-boxed challenge. `progress` and `completed_at` are the community total and the moment
 * the shared goal was reached (personal challenges keep both per participant instead): the row
 * is updated by every contribution, which serializes contributions to one community goal.
 */
@Entity({ name: 'challenges' })
@Index('challenges_window_idx', ['tenantId', 'endsAt', 'startsAt'])
@Index('challenges_created_idx', ['tenantId', 'createdAt', 'id'])
@Check('challenges_kind_check', `"kind" IN ('personal', 'community')`)
@Check('challenges_join_mode_check', `"join_mode" IN ('explicit', 'automatic')`)
@Check('challenges_window_check', `"ends_at" > "starts_at"`)
@Check('challenges_points_check', `"points" >= 0 AND "progress" >= 0`)
export class ChallengeEntity {
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

  @Column({ type: 'varchar', length: 20 })
  kind!: ChallengeKind;

  @Column({ type: 'jsonb' })
  goal!: ChallengeGoal;

  @Column({ type: 'timestamptz' })
  startsAt!: Date;

  @Column({ type: 'timestamptz' })
  endsAt!: Date;

  @Column({ type: 'varchar', length: 20, default: 'explicit' })
  joinMode!: JoinMode;

  /** Bonus points credited to each participant on completion, besides the challenge_completed rules. */
  @Column({ type: 'integer', default: 0 })
  points!: number;

  @Column({ type: 'bigint', default: 0 })
  progress!: string;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
