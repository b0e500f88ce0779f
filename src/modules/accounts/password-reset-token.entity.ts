import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { PlatformAdminEntity } from './platform-admin.entity';
import { UserEntity } from './user.entity';

/** A single-use password reset token (SHA-256 of the secret only), valid for one hour. */
abstract class PasswordResetTokenColumns {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'password_reset_tokens' })
export class PasswordResetTokenEntity extends PasswordResetTokenColumns {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'user_id', referencedColumnName: 'id' },
  ])
  user?: UserEntity;
}

@Entity({ name: 'platform_password_reset_tokens' })
export class PlatformPasswordResetTokenEntity extends PasswordResetTokenColumns {
  @Column({ type: 'uuid' })
  adminId!: string;

  @ManyToOne(() => PlatformAdminEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'admin_id' })
  admin?: PlatformAdminEntity;
}
