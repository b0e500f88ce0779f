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
import type { TenantRole } from '../../common/auth/actor';
import { TenantEntity } from '../tenants/tenant.entity';

export type UserStatus = 'active' | 'disabled' | 'deleted';

/** A person of one tenant, with exactly one role. E-mail is unique per tenant, case-insensitive. */
@Entity({ name: 'users' })
@Unique('users_tenant_email_key', ['tenantId', 'email'])
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
