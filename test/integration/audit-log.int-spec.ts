import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { runInTenant } from '../../src/database/tenant-transaction';
import { TenantDatabase } from '../../src/database/tenant-database.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { factories } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('audit log', () => {
  let database: TestDatabase;
  let app: DataSource;
  let audit: AuditService;
  let make: ReturnType<typeof factories>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createDataSource({ url: database.appUrl, poolSize: 2 }).initialize();
    audit = new AuditService(new TenantDatabase(app));
    make = factories(app);
  });

  afterAll(async () => {
    await app?.destroy();
    await database?.drop();
  });

  const source = (userId: string) => ({
    actor: { kind: 'user' as const, userId, tenantId: 'unused', role: 'admin' as const },
    ip: '10.0.0.1',
    requestId: 'req-1',
  });

  it('lets the application insert and read entries but never change or delete them', async () => {
    const tenant = await make.tenant();
    await audit.recordAlone(tenant.id, source('00000000-0000-4000-8000-000000000001'), {
      action: 'user.updated',
      targetType: 'user',
      targetId: 'u1',
      before: { role: 'staff', password_hash: 'secret-hash' },
      after: { role: 'admin' },
    });
    const [row] = await runInTenant(app, tenant.id, (m) => m.query(`SELECT before, after FROM audit_log`));
    expect(row).toEqual({ before: { role: 'staff', password_hash: '[redacted]' }, after: { role: 'admin' } });

    for (const statement of [
      `UPDATE audit_log SET action = 'nothing'`,
      `DELETE FROM audit_log`,
      `TRUNCATE audit_log`,
    ]) {
      await expect(runInTenant(app, tenant.id, (m) => m.query(statement))).rejects.toThrow(/permission denied/);
    }
    const [{ count }] = await runInTenant(app, tenant.id, (m) =>
      m.query(`SELECT count(*)::int AS count FROM audit_log`),
    );
    expect(count).toBe(1);
  });

  it('filters and pages newest first without repeating or skipping an entry', async () => {
    const tenant = await make.tenant();
    const other = await make.tenant();
    for (let i = 0; i < 7; i++) {
      await audit.recordAlone(tenant.id, source('00000000-0000-4000-8000-000000000002'), {
        action: i % 2 === 0 ? 'reward.created' : 'reward.updated',
        targetType: 'reward',
        targetId: `r${i}`,
      });
    }
    await audit.recordAlone(other.id, source('00000000-0000-4000-8000-000000000003'), {
      action: 'reward.created',
      targetType: 'reward',
      targetId: 'theirs',
    });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await audit.list(tenant.id, { limit: 3, cursor });
      seen.push(...page.data.map((entry) => entry.target.id!));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1', 'r0']);

    const created = await audit.list(tenant.id, { limit: 20, action: 'reward.created' });
    expect(created.data.map((entry) => entry.target.id)).toEqual(['r6', 'r4', 'r2', 'r0']);
    expect(created.data[0]).toMatchObject({
      actor: { type: 'user', role: 'admin' },
      ip: '10.0.0.1',
      request_id: 'req-1',
    });
  });
});
