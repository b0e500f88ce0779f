import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { LoyaltyAccountEntity } from './ledger/loyalty-account.entity';

/** The tier history of an account: every change, up or down, and why. */
@Entity({ name: 'tier_changes' })
@Index('tier_changes_account_idx', ['tenantId', 'accountId', 'changedAt'])
export class TierChangeEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => LoyaltyAccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'account_id', referencedColumnName: 'id' },
  ])
  account?: LoyaltyAccountEntity;

  @Column({ type: 'uuid', nullable: true })
  fromTierId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  toTierId!: string | null;

  /** earned, review_downgrade, admin, ... */
  @Column({ type: 'varchar', length: 40 })
  reason!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  changedAt!: Date;
}
