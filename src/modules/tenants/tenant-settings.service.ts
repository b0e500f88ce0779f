import { Injectable } from '@nestjs/common';
import { Caller } from '../../common/auth/access.decorators';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import {
  applySettingsPatch,
  changedSections,
  parseSettingsPatch,
  resolveSettings,
  TenantSettings,
} from './tenant-settings';

/** A tenant's own settings, read and changed by its admins. */
@Injectable()
export class TenantSettingsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly audit: AuditService,
  ) {}

  async get(tenantId: string): Promise<TenantSettings> {
    const [tenant] = (await this.database.run(tenantId, (manager) =>
      manager.query(`SELECT settings FROM tenants WHERE id = $1`, [tenantId]),
    )) as Array<{ settings: unknown }>;
    if (!tenant) throw new NotFoundError('Tenant', tenantId);
    return resolveSettings(tenant.settings);
  }

  /** Applies a partial update atomically: two admins' concurrent patches both survive. */
  async update(caller: Caller, tenantId: string, input: unknown): Promise<TenantSettings> {
    const { patch, errors } = parseSettingsPatch(input);
    if (errors.length > 0) throw new ValidationFailedError(errors);
    return this.database.run(tenantId, async (manager) => {
      // The row lock makes read-merge-write one step: a concurrent patch waits and then merges
      // over this one instead of overwriting it with what it read before.
      const [tenant] = (await manager.query(`SELECT settings FROM tenants WHERE id = $1 FOR UPDATE`, [
        tenantId,
      ])) as Array<{
        settings: unknown;
      }>;
      if (!tenant) throw new NotFoundError('Tenant', tenantId);
      const before = resolveSettings(tenant.settings);
      const stored = applySettingsPatch(tenant.settings, patch);
      const after = resolveSettings(stored);
      const changed = changedSections(before, after);
      if (!changed) return after;
      await manager.query(`UPDATE tenants SET settings = $2::jsonb, updated_at = now() WHERE id = $1`, [
        tenantId,
        JSON.stringify(stored),
      ]);
      await this.audit.record(manager, tenantId, caller, {
        action: 'settings.updated',
        targetType: 'tenant_settings',
        targetId: tenantId,
        before: changed.before,
        after: changed.after,
      });
      return after;
    });
  }
}
