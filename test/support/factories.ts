import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { runInTenant, runWithoutTenant } from '../../src/database/tenant-transaction';
import { IdempotencyKeyEntity } from '../../src/common/idempotency/idempotency-key.entity';
import { CustomerEntity } from '../../src/modules/customers/customer.entity';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';

const unique = (): string => randomBytes(4).toString('hex');

/** Test data through the same data source and tenant helper the application uses. */
export function factories(dataSource: DataSource) {
  return {
    tenant(overrides: Partial<TenantEntity> = {}): Promise<TenantEntity> {
      return runWithoutTenant(dataSource, (manager) =>
        manager.save(manager.create(TenantEntity, { slug: `t-${unique()}`, name: `Tenant ${unique()}`, ...overrides })),
      );
    },

    idempotencyKey(tenantId: string, overrides: Partial<IdempotencyKeyEntity> = {}): Promise<IdempotencyKeyEntity> {
      return runInTenant(dataSource, tenantId, (manager) =>
        manager.save(
          manager.create(IdempotencyKeyEntity, {
            tenantId,
            actorId: `user:${unique()}`,
            key: unique(),
            method: 'POST',
            path: '/api/activities',
            requestHash: 'a'.repeat(64),
            statusCode: 201,
            responseBody: { ok: true },
            expiresAt: new Date(Date.now() + 3600_000),
            ...overrides,
          }),
        ),
      );
    },

    /** A customer row (no sign-in account); pass `id` to pair it with a customer user. */
    customer(tenantId: string, overrides: Partial<CustomerEntity> = {}): Promise<CustomerEntity> {
      return runInTenant(dataSource, tenantId, (manager) =>
        manager.save(
          manager.create(CustomerEntity, {
            tenantId,
            email: `customer-${unique()}@example.com`,
            firstName: 'Test',
            lastName: 'Customer',
            ...overrides,
          }),
        ),
      );
    },
  };
}
