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
  Unique,
} from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { LoyaltyAccountEntity } from '../loyalty/ledger/loyalty-account.entity';
import { PointLotEntity } from '../loyalty/ledger/point-lot.entity';
import { RewardEntity } from './reward.entity';

export const REDEMPTION_STATUSES = ['pending', 'fulfilled', 'cancelled', 'expired'] as const;
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number];

/**
 * A reward a customer paid for, with its voucher code (canonical form, see voucher-code.ts).
 * pending → fulfilled (staff hand it over) | cancelled (points and stock given back) | expired
 * (not fulfilled in the reward's voucher_valid_days; the stock is given back, the points are not).
 */
@Entity({ name: 'redemptions' })
@Unique('redemptions_code_key', ['tenantId', 'code'])
@Index('redemptions_customer_idx', ['tenantId', 'customerId', 'createdAt', 'id'])
@Index('redemptions_created_idx', ['tenantId', 'createdAt', 'id'])
@Index('redemptions_limit_idx', ['tenantId', 'rewardId', 'customerId'], {
  where: `"status" IN ('pending', 'fulfilled')`,
})
@Index('redemptions_expiry_idx', ['tenantId', 'expiresAt'], { where: `"status" = 'pending'` })
@Check('redemptions_status_check', `"status" IN ('pending', 'fulfilled', 'cancelled', 'expired')`)
@Check('redemptions_points_used_check', `"points_used" >= 0`)
export class RedemptionEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  rewardId!: string;

  @ManyToOne(() => RewardEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'reward_id', referencedColumnName: 'id' },
  ])
  reward?: RewardEntity;

  @Column({ type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'customer_id', referencedColumnName: 'id' },
  ])
  customer?: CustomerEntity;

  @Column({ type: 'uuid' })
  accountId!: string;

  @ManyToOne(() => LoyaltyAccountEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'account_id', referencedColumnName: 'id' },
  ])
  account?: LoyaltyAccountEntity;

  @Column({ type: 'varchar', length: 12 })
  code!: string;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status!: RedemptionStatus;

  @Column({ type: 'integer' })
  pointsUsed!: number;

  /** The `redeem` ledger row that paid for it. */
  @Column({ type: 'uuid' })
  transactionId!: string;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  fulfilledAt!: Date | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  fulfilledBy!: string | null;

  @Column({ type: 'uuid', nullable: true })
  fulfilledLocationId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  cancelledBy!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  cancelReason!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  expiredAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** The lots a redemption's points came from, so a cancellation gives them back with their expiry. */
@Entity({ name: 'redemption_lots' })
@Check('redemption_lots_points_check', `"points" > 0`)
export class RedemptionLotEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'uuid' })
  redemptionId!: string;

  @ManyToOne(() => RedemptionEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'redemption_id', referencedColumnName: 'id' },
  ])
  redemption?: RedemptionEntity;

  @PrimaryColumn({ type: 'uuid' })
  lotId!: string;

  @ManyToOne(() => PointLotEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'lot_id', referencedColumnName: 'id' },
  ])
  lot?: PointLotEntity;

  @Column({ type: 'bigint' })
  points!: string;
}
