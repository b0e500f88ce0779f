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
} from 'typeorm';
import { LoyaltyAccountEntity } from './loyalty-account.entity';

export const TRANSACTION_TYPES = ['earn', 'redeem', 'adjust', 'expire', 'reverse'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/**
 * The append-only points ledger: one row per movement, signed, with the spendable balance after
 * it. The application role never updates or deletes these rows (see the migration).
 */
@Entity({ name: 'point_transactions' })
@Index('point_transactions_account_idx', ['tenantId', 'accountId', 'createdAt', 'id'])
@Index('point_transactions_rule_usage_idx', ['tenantId', 'accountId', 'ruleId', 'createdAt'])
@Index('point_transactions_activity_idx', ['tenantId', 'activityId'])
/** A rule's rows across customers, for its stats (GET /api/admin/rules/{id}/stats). */
@Index('point_transactions_rule_idx', ['tenantId', 'ruleId', 'createdAt'], { where: '"rule_id" IS NOT NULL' })
@Check('point_transactions_type_check', `"type" IN ('earn', 'redeem', 'adjust', 'expire', 'reverse')`)
@Check('point_transactions_balance_after_check', `"balance_after" >= 0`)
export class PointTransactionEntity {
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

  @Column({ type: 'varchar', length: 20 })
  type!: TransactionType;

  /** Signed: earn and positive adjust > 0; redeem, expire, reverse and negative adjust < 0. */
  @Column({ type: 'bigint' })
  points!: string;

  @Column({ type: 'bigint' })
  balanceAfter!: string;

  /** Points held for the pending period are not spendable yet (see point_lots.available_at). */
  @Column({ type: 'boolean', default: false })
  pending!: boolean;

  @Column({ type: 'uuid', nullable: true })
  activityId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  ruleId!: string | null;

  /** What else this row refers to: a redemption, the purchase a reversal undoes, ... */
  @Column({ type: 'varchar', length: 200, nullable: true })
  reference!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  /** Points a reversal could not take back because the customer had already spent them. */
  @Column({ type: 'bigint', default: 0 })
  shortfall!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  actor!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
