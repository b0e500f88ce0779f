import fc from 'fast-check';
import { DataSource, EntityManager } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { runInTenant } from '../../src/database/tenant-transaction';
import { credit, debit, expireLots, lockAccount, releasePending } from '../../src/modules/loyalty/ledger/ledger';
import { InsufficientPointsError } from '../../src/modules/loyalty/ledger/ledger.errors';
import { factories } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const DAY = 86_400_000;

describe('points ledger', () => {
  let database: TestDatabase;
  let app: DataSource;
  let make: ReturnType<typeof factories>;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createDataSource({ url: database.appUrl, poolSize: 20 }).initialize();
    make = factories(app);
  });

  afterAll(async () => {
    await app?.destroy();
    await database?.drop();
  });

  async function newAccountOwner(): Promise<{ tenantId: string; customerId: string; programId: string }> {
    const tenant = await make.tenant();
    return runInTenant(app, tenant.id, async (m) => {
      const [program] = await m.query(`INSERT INTO programs (tenant_id, name) VALUES ($1, 'P') RETURNING id`, [
        tenant.id,
      ]);
      const [customer] = await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [tenant.id]);
      return { tenantId: tenant.id, customerId: customer.id, programId: program.id };
    });
  }

  /** Every invariant of the ledger, read back from the database. */
  async function invariants(tenantId: string) {
    return runInTenant(app, tenantId, (m: EntityManager) =>
      m.query(
        `SELECT a.id,
                a.balance::bigint AS balance, a.pending_balance::bigint AS pending,
                (SELECT COALESCE(sum(points), 0) FROM point_transactions t WHERE t.account_id = a.id)::bigint AS ledger,
                (SELECT COALESCE(sum(remaining), 0) FROM point_lots l WHERE l.account_id = a.id AND NOT l.pending)::bigint AS spendable_lots,
                (SELECT COALESCE(sum(remaining), 0) FROM point_lots l WHERE l.account_id = a.id AND l.pending)::bigint AS pending_lots
           FROM loyalty_accounts a`,
      ),
    ) as Promise<Array<Record<string, string>>>;
  }

  type Operation =
    | { kind: 'earn'; points: number; pendingDays: number; expiresInDays: number | null }
    | { kind: 'spend'; points: number }
    | { kind: 'reverse'; points: number }
    | { kind: 'advance'; days: number };

  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.record({
      kind: fc.constant('earn' as const),
      points: fc.integer({ min: 1, max: 500 }),
      pendingDays: fc.constantFrom(0, 0, 3),
      expiresInDays: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
    }),
    fc.record({ kind: fc.constant('spend' as const), points: fc.integer({ min: 1, max: 600 }) }),
    fc.record({ kind: fc.constant('reverse' as const), points: fc.integer({ min: 1, max: 600 }) }),
    fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 10 }) }),
  );

  it('keeps balance = ledger sum = spendable lots, never negative, under random operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        const owner = await newAccountOwner();
        let now = new Date('2026-01-01T00:00:00Z');
        for (const op of operations) {
          await runInTenant(app, owner.tenantId, async (m) => {
            const account = await lockAccount(m, owner.tenantId, owner.customerId, owner.programId);
            await releasePending(m, account, now);
            await expireLots(m, account, now);
            switch (op.kind) {
              case 'earn':
                await credit(m, account, [{ type: 'earn', points: op.points }], {
                  now,
                  availableAt: op.pendingDays ? new Date(now.getTime() + op.pendingDays * DAY) : null,
                  expiresAt: op.expiresInDays ? new Date(now.getTime() + op.expiresInDays * DAY) : null,
                });
                break;
              case 'spend':
                if (op.points <= account.balance) await debit(m, account, { type: 'redeem', points: op.points });
                else
                  await expect(debit(m, account, { type: 'redeem', points: op.points })).rejects.toThrow(
                    InsufficientPointsError,
                  );
                break;
              case 'reverse': {
                const result = await debit(m, account, {
                  type: 'reverse',
                  points: op.points,
                  allowShortfall: true,
                  includePending: true,
                });
                expect(result.taken + result.shortfall).toBe(op.points);
                break;
              }
              case 'advance':
                now = new Date(now.getTime() + op.days * DAY);
                break;
            }
          });
        }
        for (const row of await invariants(owner.tenantId)) {
          expect(Number(row.balance)).toBeGreaterThanOrEqual(0);
          expect(Number(row.balance) + Number(row.pending)).toBe(Number(row.ledger));
          expect(row.spendable_lots).toBe(row.balance);
          expect(row.pending_lots).toBe(row.pending);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('spends the lots that expire first', async () => {
    const owner = await newAccountOwner();
    const now = new Date('2026-01-01T00:00:00Z');
    await runInTenant(app, owner.tenantId, async (m) => {
      const account = await lockAccount(m, owner.tenantId, owner.customerId, owner.programId);
      await credit(m, account, [{ type: 'earn', points: 100 }], { now, availableAt: null, expiresAt: null });
      await credit(m, account, [{ type: 'earn', points: 100 }], {
        now,
        availableAt: null,
        expiresAt: new Date(now.getTime() + 30 * DAY),
      });
      await credit(m, account, [{ type: 'earn', points: 100 }], {
        now,
        availableAt: null,
        expiresAt: new Date(now.getTime() + 5 * DAY),
      });
      await debit(m, account, { type: 'redeem', points: 150 });
    });
    const lots = await runInTenant(app, owner.tenantId, (m) =>
      m.query(`SELECT expires_at, remaining::int AS remaining FROM point_lots ORDER BY expires_at NULLS LAST`),
    );
    expect(lots.map((lot: { remaining: number }) => lot.remaining)).toEqual([0, 50, 100]);
  });

  it('ends 200 parallel earns and spends on one account with balance = ledger sum and never below zero', async () => {
    const owner = await newAccountOwner();
    const now = new Date();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        runInTenant(app, owner.tenantId, async (m) => {
          const account = await lockAccount(m, owner.tenantId, owner.customerId, owner.programId);
          if (i % 2 === 0)
            return credit(m, account, [{ type: 'earn', points: 10 }], { now, availableAt: null, expiresAt: null });
          return debit(m, account, { type: 'redeem', points: 15 });
        }),
      ),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientPointsError);
    const spends = 100 - refused.length;
    const [row] = await invariants(owner.tenantId);
    expect(Number(row.balance)).toBe(100 * 10 - spends * 15);
    expect(row.ledger).toBe(row.balance);
    expect(row.spendable_lots).toBe(row.balance);
    expect(Number(row.balance)).toBeGreaterThanOrEqual(0);
  });

  it('lets the application append ledger rows but never rewrite them', async () => {
    const owner = await newAccountOwner();
    await runInTenant(app, owner.tenantId, async (m) => {
      const account = await lockAccount(m, owner.tenantId, owner.customerId, owner.programId);
      await credit(m, account, [{ type: 'earn', points: 5 }], { now: new Date(), availableAt: null, expiresAt: null });
    });
    for (const statement of [`UPDATE point_transactions SET points = 500`, `DELETE FROM point_transactions`]) {
      await expect(runInTenant(app, owner.tenantId, (m) => m.query(statement))).rejects.toThrow(/permission denied/);
    }
  });
});
