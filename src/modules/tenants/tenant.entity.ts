import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const TENANT_STATUSES = ['active', 'suspended'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** The platform's registry of tenants. Not tenant-owned: every other tenant table points here. */
@Entity({ name: 'tenants' })
@Check('tenants_status_check', `"status" IN ('active', 'suspended')`)
@Check('tenants_slug_check', `"slug" ~ '^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$'`)
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 40, unique: true })
  slug!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status!: TenantStatus;

  @Column({ type: 'varchar', length: 40, default: 'starter' })
  plan!: string;

  @Column({ type: 'jsonb', default: {} })
  settings!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
