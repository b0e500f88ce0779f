import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { LoyaltyAccountEntity } from './loyalty-account.entity';

/**
 * Earned points with their expiry. Spending consumes the lots that expire first; the expiry job
 * writes off what remains of a lot when it expires. `available_at` holds a lot back for the
 * program's pending period.
 */
@Entity({ name: 'point_lots' })
@Index('point_lots_spend_order_idx', ['tenantId', 'accountId', 'expiresAt', 'earnedAt'], { where: '"remaining" > 0' })
@Index('point_lots_expiry_idx', ['tenantId', 'expiresAt'], { where: '"remaining" > 0' })
@Index('point_lots_pending_idx', ['tenantId', 'availableAt'], { where: '"pending"' })
@Check('point_lots_remaining_check', `"remaining" >= 0 AND "remaining" <= "points"`)
export class PointLotEntity {
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

  @Column({ type: 'uuid' })
  transactionId!: string;

  @Column({ type: 'bigint' })
  points!: string;

  @Column({ type: 'bigint' })
  remaining!: string;

  @Column({ type: 'timestamptz' })
  earnedAt!: Date;

  @Column({ type: 'timestamptz' })
  availableAt!: Date;

  @Column({ type: 'boolean', default: false })
  pending!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
