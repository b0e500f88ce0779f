import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Caller } from '../../common/auth/access.decorators';
import { ConflictError, FieldError, ValidationFailedError } from '../../common/errors/domain-error';
import { TenantDatabase } from '../../database/tenant-database.service';
import { passwordProblem } from '../accounts/password-policy';
import { hashPassword } from '../accounts/passwords';
import { AuditService } from '../audit/audit.service';
import { QuotaService } from './quota.service';
import { isUniqueViolation, TENANT_COLUMNS, TenantRow, toTenantDto } from './tenant-row';
import { parseSettingsPatch } from './tenant-settings';
import { ProvisionedTenantDto, ProvisionTenantDto } from './dto/tenant.dto';

const PROGRAM_NAME_MAX = 100;
const PROGRAM_SUFFIX = ' Rewards';

/** "<tenant name> Rewards", cut to fit programs.name when the tenant's name is long. */
export function defaultProgramName(tenantName: string): string {
  return `${tenantName.slice(0, PROGRAM_NAME_MAX - PROGRAM_SUFFIX.length).trimEnd()}${PROGRAM_SUFFIX}`;
}

/** Super-admin provisioning: a tenant with its owner, settings and default program, or nothing. */
@Injectable()
export class TenantProvisioningService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly audit: AuditService,
    private readonly quotas: QuotaService,
  ) {}

  async provision(caller: Caller, input: ProvisionTenantDto): Promise<ProvisionedTenantDto> {
    const errors: FieldError[] = [];
    const { owner } = input;
    const problem = owner.password === undefined ? null : passwordProblem(owner.password, owner.email);
    if (problem) errors.push({ field: 'owner.password', message: problem });
    const settings = parseSettingsPatch(input.settings ?? {}, 'settings');
    errors.push(...settings.errors);
    if (errors.length > 0) throw new ValidationFailedError(errors);

    // Hashing takes tens of milliseconds: done before the transaction opens, not inside it.
    const passwordHash = owner.password === undefined ? null : await hashPassword(owner.password);
    const tenantId = randomUUID();
    try {
      // One transaction for everything. The tenant row goes first: tenants is not under
      // row-level security, and the rows after it (users, programs, audit_log) are, with
      // app.tenant_id already set to the new tenant's id.
      return await this.database.run(tenantId, async (manager) => {
        const [tenant] = (await manager.query(
          `INSERT INTO tenants (id, slug, name, plan, settings) VALUES ($1, $2, $3, $4, $5::jsonb)
           RETURNING ${TENANT_COLUMNS}`,
          [tenantId, input.slug, input.name, input.plan, JSON.stringify(settings.patch)],
        )) as TenantRow[];
        const [ownerRow] = (await manager.query(
          `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name)
           VALUES ($1, $2, $3, 'owner', $4, $5)
           RETURNING id, email, role`,
          [tenantId, owner.email, passwordHash, owner.first_name ?? '', owner.last_name ?? ''],
        )) as Array<{ id: string; email: string; role: string }>;
        const [program] = (await manager.query(
          `INSERT INTO programs (tenant_id, name, is_default) VALUES ($1, $2, true) RETURNING id, name`,
          [tenantId, defaultProgramName(input.name)],
        )) as Array<{ id: string; name: string }>;
        const provisioned: ProvisionedTenantDto = {
          tenant: toTenantDto(tenant, this.quotas.quotasOfPlan(tenant.plan)),
          owner: { ...ownerRow, password_set: passwordHash !== null },
          default_program: program,
        };
        await this.audit.record(manager, tenantId, caller, {
          action: 'tenant.provisioned',
          targetType: 'tenant',
          targetId: tenantId,
          after: {
            slug: tenant.slug,
            name: tenant.name,
            plan: tenant.plan,
            settings: settings.patch,
            owner: provisioned.owner,
            default_program: program,
          },
        });
        return provisioned;
      });
    } catch (error) {
      // The unique index decides, so two concurrent requests for one slug cannot both succeed.
      if (isUniqueViolation(error, 'tenants')) {
        throw new ConflictError('slug_taken', `The slug "${input.slug}" is already taken.`);
      }
      throw error;
    }
  }
}
