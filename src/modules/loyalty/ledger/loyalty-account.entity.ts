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
import { CustomerEntity } from '../../customers/customer.entity';
import { ProgramEntity } from '../program.entity';

/**
 * A customer's standing in one program. `balance` (spendable) and `pending_balance` (held for the
 * program's pending period) change only in the transaction that appends the matching ledger
 * row, through conditional updates: the CHECKs make a negative balance impossible.
 */
@Entity({ name: 'loyalty_accounts' })
@Unique('loyalty_accounts_customer_program_key', ['tenantId', 'customerId', 'programId'])
@Check('loyalty_accounts_balance_check', `"balance" >= 0 AND "pending_balance" >= 0 AND "lifetime_points" >= 0`)
export class LoyaltyAccountEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  customerId!: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'customer_id', referencedColumnName: 'id' },
  ])
  customer?: CustomerEntity;

  @Column({ type: 'uuid' })
  programId!: string;

  @ManyToOne(() => ProgramEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'program_id', referencedColumnName: 'id' },
  ])
  program?: ProgramEntity;

  @Column({ type: 'bigint', default: 0 })
  balance!: string;

  @Column({ type: 'bigint', default: 0 })
  pendingBalance!: string;

  @Column({ type: 'bigint', default: 0 })
  lifetimePoints!: string;

  @Column({ type: 'uuid', nullable: true })
  tierId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  tierSince!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
