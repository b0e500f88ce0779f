import {
  Check,
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
import { ProgramEntity } from './program.entity';

/** A rung of a program's ladder. `rank` orders the tiers of a program (0 = lowest). */
@Entity({ name: 'tiers' })
@Unique('tiers_program_name_key', ['tenantId', 'programId', 'name'])
@Unique('tiers_program_rank_key', ['tenantId', 'programId', 'rank'])
@Check('tiers_basis_check', `"basis" IN ('lifetime', 'qualifying')`)
@Check('tiers_threshold_check', `"threshold" >= 0`)
export class TierEntity {
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

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'integer' })
  rank!: number;

  @Column({ type: 'bigint' })
  threshold!: string;

  @Column({ type: 'varchar', length: 20, default: 'lifetime' })
  basis!: 'lifetime' | 'qualifying';

  @Column({ type: 'integer', nullable: true })
  windowDays!: number | null;

  @Column({ type: 'jsonb', default: {} })
  benefits!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
