import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { ForbiddenError, NotFoundError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { appendToOutbox } from '../../common/outbox/outbox';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { EXPORT_SECTIONS } from './customer-export.sections';
import { auditedCustomer, erasedEmail } from './customer-fields';
import { auditableOf, selectCustomer } from './customer-row';
import { CustomerExportDto } from './dto/profile.dto';

const EXPORT_FORMAT_VERSION = 1;

/** The Content-Disposition of an export: a download named after the customer (a uuid, checked before). */
export function exportDisposition(customerId: string): string {
  return `attachment; filename="customer-${customerId}-export.json"`;
}

function ownCustomerId(actor: Actor): string {
  if (actor.kind !== 'user' || actor.role !== 'customer') {
    throw new ForbiddenError('Only customers have their own data.', 'not_a_customer');
  }
  return actor.userId;
}

/** GDPR: everything Beacon holds about a customer, and its erasure. */
@Injectable()
export class CustomerPrivacyService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly audit: AuditService,
  ) {}

  exportOwn(actor: Actor): Promise<CustomerExportDto> {
    const customerId = ownCustomerId(actor);
    return this.database.run(tenantIdOf(actor), (manager) => this.collect(manager, tenantIdOf(actor), customerId));
  }

  /** An admin's export is itself recorded: who took a copy of whose personal data, and when. */
  exportForAdmin(caller: Caller, customerId: string): Promise<CustomerExportDto> {
    const tenantId = tenantIdOf(caller.actor);
    return this.database.run(tenantId, async (manager) => {
      const data = await this.collect(manager, tenantId, customerId);
      await this.audit.record(manager, tenantId, caller, {
        action: 'customer.exported',
        targetType: 'customer',
        targetId: customerId,
      });
      return data;
    });
  }

  eraseOwn(caller: Caller): Promise<void> {
    return this.erase(caller, ownCustomerId(caller.actor));
  }

  /**
   * Erasure, in one transaction: every personal field of the customer is blanked (check-ins lose
   * their GPS fix and device, attendances their staff notes), their sign-in
   * account is closed (e-mail freed, no password or TOTP secret, sessions revoked) and their stored
   * idempotent responses dropped. The accounts and the ledger stay, for accounting: the balance
   * still equals the ledger sum. Erasing an erased customer changes nothing. A customer who signed
   * up before registration created customers rows has only the sign-in account; it is closed all the same.
   */
  erase(caller: Caller, customerId: string): Promise<void> {
    const tenantId = tenantIdOf(caller.actor);
    const self = caller.actor.kind === 'user' && caller.actor.userId === customerId;
    return this.database.run(tenantId, async (manager) => {
      const before = isUuid(customerId) ? await selectCustomer(manager, tenantId, customerId, true) : undefined;
      if (!before && !self) throw new NotFoundError('Customer', isUuid(customerId) ? customerId : undefined);
      if (before?.status === 'erased') return;

      await manager.query(
        `UPDATE customers
            SET email = NULL, external_id = NULL, first_name = '', last_name = '', phone = NULL, birthday = NULL,
                preferences = '{}', segments = '{}', marketing_opt_in = false, leaderboard_opt_out = true,
                status = 'erased', erased_at = now(), updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, customerId],
      );
      // Where they were: a check-in keeps its location (analytics count it) but loses the GPS fix
      // (moved onto the location's own point, or nowhere), its accuracy, distance and device.
      await manager.query(
        `UPDATE checkins h
            SET position = COALESCE((SELECT l.position FROM locations l WHERE l.tenant_id = h.tenant_id AND l.id = h.location_id),
                                    ST_GeogFromText('SRID=4326;POINT(0 0)')),
                accuracy_m = NULL, distance_m = NULL, device = '{}'
          WHERE h.tenant_id = $1 AND h.customer_id = $2`,
        [tenantId, customerId],
      );
      await manager.query(`UPDATE event_attendance SET notes = NULL WHERE tenant_id = $1 AND customer_id = $2`, [
        tenantId,
        customerId,
      ]);
      const [, closed] = (await manager.query(
        `UPDATE users
            SET status = 'deleted', email = $3, password_hash = NULL, mfa_secret = NULL, mfa_enabled_at = NULL,
                first_name = '', last_name = '', updated_at = now()
          WHERE tenant_id = $1 AND id = $2 AND role = 'customer'`,
        [tenantId, customerId, erasedEmail(randomUUID())],
      )) as [unknown, number];
      if (closed > 0) {
        await manager.query(
          `UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = 'erased'
            WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL`,
          [tenantId, customerId],
        );
        await manager.query(
          `UPDATE password_reset_tokens SET used_at = now() WHERE tenant_id = $1 AND user_id = $2 AND used_at IS NULL`,
          [tenantId, customerId],
        );
        // Stored responses of the customer's own requests may repeat what they sent.
        await manager.query(`DELETE FROM idempotency_keys WHERE tenant_id = $1 AND actor_id = $2`, [
          tenantId,
          `user:${customerId}`,
        ]);
      }
      await this.audit.record(manager, tenantId, caller, {
        action: 'customer.erased',
        targetType: 'customer',
        targetId: customerId,
        before: before ? auditedCustomer(auditableOf(before)) : null,
        after: { status: 'erased' },
      });
      await appendToOutbox(manager, tenantId, [
        {
          type: 'customer.erased',
          aggregateType: 'customer',
          aggregateId: customerId,
          payload: { customer_id: customerId },
        },
      ]);
    });
  }

  private async collect(manager: EntityManager, tenantId: string, customerId: string): Promise<CustomerExportDto> {
    const [customer] = isUuid(customerId)
      ? ((await manager.query(
          `SELECT to_jsonb(c) - 'tenant_id' AS record FROM customers c WHERE c.tenant_id = $1 AND c.id = $2`,
          [tenantId, customerId],
        )) as Array<{ record: Record<string, unknown> }>)
      : [];
    if (!customer) throw new NotFoundError('Customer', isUuid(customerId) ? customerId : undefined);
    const [user] = (await manager.query(
      `SELECT email, first_name, last_name, role, status, mfa_enabled_at IS NOT NULL AS mfa_enabled,
              password_changed_at, last_login_at, created_at, updated_at
         FROM users WHERE tenant_id = $1 AND id = $2`,
      [tenantId, customerId],
    )) as Array<Record<string, unknown>>;
    const records: Record<string, unknown[]> = {};
    for (const section of EXPORT_SECTIONS) {
      const rows = (await manager.query(section.sql, [tenantId, customerId])) as Array<{ record: unknown }>;
      records[section.key] = rows.map((row) => row.record);
    }
    return {
      format_version: EXPORT_FORMAT_VERSION,
      exported_at: new Date().toISOString(),
      customer: customer.record,
      user_account: user ?? null,
      records,
    };
  }
}
