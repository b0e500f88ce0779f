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
import type { TenantRole } from '../../common/auth/actor';
import { TenantEntity } from '../tenants/tenant.entity';

export type UserStatus = 'active' | 'disabled' | 'deleted';

/** The accounts that hold their e-mail: all but the deleted ones. */
const HOLDS_EMAIL = `"status" <> 'deleted'`;

/**
 * The conflict target of an insert that must not take a held e-mail. It names the unique index's
 * predicate, which PostgreSQL needs to infer a partial index as the arbiter.
 */
export const EMAIL_CONFLICT_TARGET = `("tenant_id", "email") WHERE ${HOLDS_EMAIL}`;

/**
 * A person of one tenant, with exactly one role. E-mail is unique per tenant, case-insensitive
 * (citext), among the accounts that are not deleted: a deleted account keeps its row and e-mail
 * for the audit trail, and the address is free for a new account.
 */
@Entity({ name: 'users' })
@Index('users_tenant_live_email_key', ['tenantId', 'email'], { unique: true, where: HOLDS_EMAIL })
@Check('users_role_check', `"role" IN ('customer', 'staff', 'admin', 'owner')`)
@Check('users_status_check', `"status" IN ('active', 'disabled', 'deleted')`)
export class UserEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'citext' })
  email!: string;

  @Column({ type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'varchar', length: 20 })
  role!: TenantRole;

  @Column({ type: 'varchar', length: 100, default: '' })
  firstName!: string;

  @Column({ type: 'varchar', length: 100, default: '' })
  lastName!: string;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status!: UserStatus;

  /** TOTP secret, encrypted at rest (AES-256-GCM); set during setup, trusted once enabled. */
  @Column({ type: 'text', nullable: true })
  mfaSecret!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  mfaEnabledAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  passwordChangedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
