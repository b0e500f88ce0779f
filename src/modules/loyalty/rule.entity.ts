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
import { ProgramEntity } from './program.entity';

/**
 * An earning rule. Conditions, effect and caps are JSON validated by the pure rule definition
 * (rules/rule-definition.ts) before they are written. `points_awarded` counts against the budget
 * and only ever grows through an atomic conditional update.
 */
@Entity({ name: 'rules' })
@Index('rules_program_idx', ['tenantId', 'programId', 'ruleType'])
@Check('rules_stacking_check', `"stacking" IN ('stackable', 'exclusive')`)
@Check('rules_points_awarded_check', `"points_awarded" >= 0`)
export class RuleEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  programId!: string;

  @ManyToOne(() => ProgramEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'program_id', referencedColumnName: 'id' },
  ])
  program?: ProgramEntity;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 40 })
  ruleType!: string;

  @Column({ type: 'varchar', length: 60, nullable: true })
  customType!: string | null;

  @Column({ type: 'integer', default: 0 })
  priority!: number;

  @Column({ type: 'varchar', length: 20, default: 'stackable' })
  stacking!: 'stackable' | 'exclusive';

  @Column({ type: 'jsonb', default: {} })
  conditions!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  effect!: Record<string, unknown>;

  @Column({ type: 'jsonb', default: {} })
  caps!: Record<string, unknown>;

  @Column({ type: 'date', nullable: true })
  startDate!: string | null;

  @Column({ type: 'date', nullable: true })
  endDate!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'bigint', default: 0 })
  pointsAwarded!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
