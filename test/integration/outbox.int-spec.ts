import { DataSource } from 'typeorm';
import { appendToOutbox } from '../../src/common/outbox/outbox';
import { createDataSource } from '../../src/database/data-source';
import { runInTenant } from '../../src/database/tenant-transaction';
import { factories } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('transactional outbox', () => {
  let database: TestDatabase;
  let app: DataSource;
  let make: ReturnType<typeof factories>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createDataSource({ url: database.appUrl, poolSize: 2 }).initialize();
    make = factories(app);
  });

  afterAll(async () => {
    await app?.destroy();
    await database?.drop();
  });

  const event = (aggregateId: string, type = 'points.earned') => ({
    type,
    aggregateType: 'customer',
    aggregateId,
    payload: { points: 10 },
  });

  const outbox = (tenantId: string) =>
    runInTenant(app, tenantId, (m) => m.query(`SELECT event_type, aggregate_id FROM outbox ORDER BY sequence`));

  it('keeps the events of a committed change, in the order they were written', async () => {
    const tenant = await make.tenant();
    const [customer] = await runInTenant(app, tenant.id, (m) =>
      m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [tenant.id]),
    );
    await runInTenant(app, tenant.id, (m) =>
      appendToOutbox(m, tenant.id, [
        event(customer.id, 'activity.recorded'),
        event(customer.id),
        event(customer.id, 'tier.changed'),
      ]),
    );
    expect((await outbox(tenant.id)).map((row: { event_type: string }) => row.event_type)).toEqual([
      'activity.recorded',
      'points.earned',
      'tier.changed',
    ]);
  });

  it('leaves no event behind when the change rolls back', async () => {
    const tenant = await make.tenant();
    await expect(
      runInTenant(app, tenant.id, async (m) => {
        const [customer] = await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [tenant.id]);
        await appendToOutbox(m, tenant.id, [event(customer.id)]);
        throw new Error('the change failed after its event was written');
      }),
    ).rejects.toThrow('the change failed');
    expect(await outbox(tenant.id)).toEqual([]);
    expect(await runInTenant(app, tenant.id, (m) => m.query(`SELECT 1 FROM customers`))).toEqual([]);
  });
  it('writes the events with the commit: an event that cannot be stored rolls the whole change back', async () => {
    const tenant = await make.tenant();
    await expect(
      runInTenant(app, tenant.id, async (m) => {
        const [customer] = await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [tenant.id]);
        await appendToOutbox(m, tenant.id, [event(customer.id, 'activity.recorded')]);
        // Not a uuid: refused by PostgreSQL only when the deferred insert runs, with the COMMIT.
        await appendToOutbox(m, tenant.id, [event("it's not a uuid")]);
      }),
    ).rejects.toThrow(/uuid/);
    expect(await outbox(tenant.id)).toEqual([]);
    expect(await runInTenant(app, tenant.id, (m) => m.query(`SELECT 1 FROM customers`))).toEqual([]);
  });

  it('keeps the order of events appended at different points of one transaction', async () => {
    const tenant = await make.tenant();
    await runInTenant(app, tenant.id, async (m) => {
      const [customer] = await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [tenant.id]);
      await appendToOutbox(m, tenant.id, [event(customer.id, 'activity.recorded')]);
      await m.query(`UPDATE customers SET updated_at = now() WHERE id = $1`, [customer.id]);
      await appendToOutbox(m, tenant.id, [event(customer.id, 'points.earned'), event(customer.id, 'tier.changed')]);
      await appendToOutbox(m, tenant.id, [event(customer.id, 'checkin.verified')]);
    });
    expect((await outbox(tenant.id)).map((row: { event_type: string }) => row.event_type)).toEqual([
      'activity.recorded',
      'points.earned',
      'tier.changed',
      'checkin.verified',
    ]);
    // One INSERT carried them all, with the commit: rows a statement writes share its command id.
    const commands = await runInTenant(app, tenant.id, (m) => m.query(`SELECT DISTINCT cmin::text FROM outbox`));
    expect(commands).toHaveLength(1);
  });
  it('stores payloads with quotes, backslashes and non-ASCII text exactly', async () => {
    const tenant = await make.tenant();
    const payload = {
      note: `it's a \\ "quoted" value; -- DROP TABLE outbox; \n naïve ✓`,
      nested: { list: ["'", '\\'] },
    };
    await runInTenant(app, tenant.id, async (m) => {
      const [customer] = await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [tenant.id]);
      await appendToOutbox(m, tenant.id, [{ ...event(customer.id), payload }]);
    });
    const rows = await runInTenant(app, tenant.id, (m) => m.query(`SELECT payload FROM outbox`));
    expect(rows).toEqual([{ payload }]);
  });
});
