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
import { TenantEntity } from '../tenants/tenant.entity';
import { AccessLevelEntity } from './access-level.entity';

/** Exclusive content: an article (body) or a link (url), open to the holders of `required_level_id` (everyone when null). */
@Entity({ name: 'content_items' })
@Index('content_items_created_idx', ['tenantId', 'createdAt', 'id'])
@Check('content_items_body_or_url_check', `"body" IS NOT NULL OR "url" IS NOT NULL`)
export class ContentItemEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: TenantEntity;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', nullable: true })
  body!: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  url!: string | null;

  @Column({ type: 'uuid', nullable: true })
  requiredLevelId!: string | null;

  @ManyToOne(() => AccessLevelEntity, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId' },
    { name: 'required_level_id', referencedColumnName: 'id' },
  ])
  requiredLevel?: AccessLevelEntity;

  /** Unpublished content is visible to admins only. */
  @Column({ type: 'boolean', default: true })
  published!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
