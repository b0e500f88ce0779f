import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { AchievementEntity } from './achievement.entity';

/**
 * A badge a customer unlocked. The unique key is what "never unlocked twice" rests on: the
 * evaluation runs under the account lock, and the insert that would repeat one does nothing.
 */
@Entity({ name: 'customer_achievements' })
@Unique('customer_achievements_achievement_customer_key', ['tenantId', 'achievementId', 'customerId'])
@Index('customer_achievements_customer_idx', ['tenantId', 'customerId', 'unlockedAt'])
export class CustomerAchievementEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  achievementId!: string;

  @ManyToOne(() => AchievementEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'achievement_id', referencedColumnName: 'id' },
  ])
  achievement?: AchievementEntity;

  @Column({ type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'customer_id', referencedColumnName: 'id' },
  ])
  customer?: CustomerEntity;

  /** The activity whose transaction unlocked it. */
  @Column({ type: 'uuid', nullable: true })
  activityId!: string | null;

  @Column({ type: 'integer', default: 0 })
  pointsAwarded!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  unlockedAt!: Date;
}
