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
import { ProgramEntity } from '../loyalty/program.entity';

/**
 * A reward of the catalog, paid for with the points of its program. `quantity_available` is the
 * stock left (null = unlimited): redemptions take from it with a conditional update, so the CHECK
 * is the last line of defence, never the mechanism. Deleting a reward only marks it: its
 * redemptions keep pointing at it.
 */
@Entity({ name: 'rewards' })
@Index('rewards_catalog_idx', ['tenantId', 'pointCost', 'id'], { where: '"deleted_at" IS NULL AND "active"' })
@Index('rewards_created_idx', ['tenantId', 'createdAt', 'id'])
@Check('rewards_point_cost_check', `"point_cost" > 0`)
@Check('rewards_quantity_available_check', `"quantity_available" >= 0`)
@Check('rewards_per_customer_limit_check', `"per_customer_limit" > 0`)
@Check('rewards_voucher_valid_days_check', `"voucher_valid_days" > 0`)
@Check('rewards_dates_check', `"end_date" > "start_date"`)
export class RewardEntity {
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

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'varchar', length: 60, nullable: true })
  category!: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  imageUrl!: string | null;

  @Column({ type: 'integer' })
  pointCost!: number;

  @Column({ type: 'integer', nullable: true })
  quantityAvailable!: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  startDate!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  endDate!: Date | null;

  /**
   * No foreign key: the tiers module deletes only tiers nobody holds, and a reward whose minimum
   * tier is gone stays locked (see eligibility.ts) rather than blocking the ladder's edits.
   */
  @Column({ type: 'uuid', nullable: true })
  minTierId!: string | null;

  @Column({ type: 'integer', nullable: true })
  perCustomerLimit!: number | null;

  /** Empty: anywhere. */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  locationIds!: string[];

  /** Days a voucher may be fulfilled after redemption; null = until fulfilled or cancelled. */
  @Column({ type: 'integer', nullable: true })
  voucherValidDays!: number | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
