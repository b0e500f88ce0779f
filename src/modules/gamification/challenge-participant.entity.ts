import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { ChallengeEntity } from './challenge.entity';

/**
 * A customer in a challenge: their own progress (personal) or contribution (community), and when
 * they completed it. `completed_at` is set once, by a conditional update, so completion rewards
 * are paid exactly once.
 */
@Entity({ name: 'challenge_participants' })
@Index('challenge_participants_customer_idx', ['tenantId', 'customerId', 'joinedAt'])
@Index('challenge_participants_unsettled_idx', ['tenantId', 'challengeId'], { where: '"completed_at" IS NULL' })
@Check('challenge_participants_progress_check', `"progress" >= 0`)
export class ChallengeParticipantEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'uuid' })
  challengeId!: string;

  @ManyToOne(() => ChallengeEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'challenge_id', referencedColumnName: 'id' },
  ])
  challenge?: ChallengeEntity;

  @PrimaryColumn({ type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'customer_id', referencedColumnName: 'id' },
  ])
  customer?: CustomerEntity;

  @Column({ type: 'bigint', default: 0 })
  progress!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  joinedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** The challenge_completed activity that paid the completion. */
  @Column({ type: 'uuid', nullable: true })
  completionActivityId!: string | null;
}
