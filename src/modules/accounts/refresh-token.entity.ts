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
import { PlatformAdminEntity } from './platform-admin.entity';
import { UserEntity } from './user.entity';

/**
 * Columns shared by tenant users' and super admins' refresh tokens. Only a SHA-256 of the secret
 * is kept. Tokens of one login form a family: each use spends the token and issues its successor;
 * presenting a spent one revokes the whole family.
 */
abstract class RefreshTokenColumns {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  familyId!: string;

  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  revokedReason!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ name: 'refresh_tokens' })
@Index('refresh_tokens_family_idx', ['tenantId', 'familyId'])
@Index('refresh_tokens_user_idx', ['tenantId', 'userId'])
export class RefreshTokenEntity extends RefreshTokenColumns {
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

@Entity({ name: 'platform_refresh_tokens' })
@Index('platform_refresh_tokens_family_idx', ['familyId'])
export class PlatformRefreshTokenEntity extends RefreshTokenColumns {
  @Column({ type: 'uuid' })
  adminId!: string;

  @ManyToOne(() => PlatformAdminEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'admin_id' })
  admin?: PlatformAdminEntity;
}
