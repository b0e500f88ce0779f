import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { DataSource, EntityManager } from 'typeorm';
import { LoyaltyJob, QueueName } from '../../src/common/queue/queues';
import { redisOptionsFromUrl } from '../../src/common/redis/redis-options';
import { createDataSource } from '../../src/database/data-source';
import { TenantDatabase } from '../../src/database/tenant-database.service';
import { runInTenant } from '../../src/database/tenant-transaction';
import { credit, debit, duePointsJoin, lockAccount, pointsNow } from '../../src/modules/loyalty/ledger/ledger';
import { InsufficientPointsError } from '../../src/modules/loyalty/ledger/ledger.errors';
import { LedgerMaintenanceService } from '../../src/modules/loyalty/ledger/ledger-maintenance.service';
import { WorkerModule } from '../../src/worker.module';
import { factories } from '../support/factories';
import { deleteRedisKeys, isolateQueuePrefix } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const DAY = 86_400_000;
const daysFrom = (instant: Date, days: number) => new Date(instant.getTime() + days * DAY);

interface Owner {
  tenantId: string;
  programId: string;
}

interface Member {
  accountId: string;
  customerId: string;
}

interface Lot {
  points: number;
  earnedDaysAgo?: number;
  expiresInDays?: number | null;
  pendingDays?: number;
}

describe('points release and expiry job', () => {
  let database: TestDatabase;
  let app: DataSource;
  let make: ReturnType<typeof factories>;
  let maintenance: LedgerMaintenanceService;
  // Everything is dated relative to one instant, passed to the service as its `now`.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createDataSource({ url: database.appUrl, poolSize: 20 }).initialize();
    make = factories(app);
    maintenance = new LedgerMaintenanceService(new TenantDatabase(app));
  });

  afterAll(async () => {
    await app?.destroy();
    await database?.drop();
  });

  async function newProgram(): Promise<Owner> {
    const tenant = await make.tenant();
    const [program] = await runInTenant(app, tenant.id, (m) =>
      m.query(`INSERT INTO programs (tenant_id, name) VALUES ($1, 'P') RETURNING id`, [tenant.id]),
    );
    return { tenantId: tenant.id, programId: program.id };
  }

  /** A customer whose account holds the given lots, each earned `earnedDaysAgo` before `now`. */
  async function newMember(owner: Owner, lots: Lot[]): Promise<Member> {
    return runInTenant(app, owner.tenantId, async (m) => {
      const [customer] = await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [owner.tenantId]);
      const account = await lockAccount(m, owner.tenantId, customer.id, owner.programId);
      for (const lot of lots) {
        const earnedAt = daysFrom(now, -(lot.earnedDaysAgo ?? 10));
        await credit(m, account, [{ type: 'earn', points: lot.points }], {
          now: earnedAt,
          availableAt: lot.pendingDays ? daysFrom(earnedAt, lot.pendingDays) : null,
          expiresAt: lot.expiresInDays != null ? daysFrom(earnedAt, lot.expiresInDays) : null,
        });
      }
      return { accountId: account.id, customerId: customer.id };
    });
  }

  function query<T = Record<string, unknown>>(tenantId: string, sql: string, params: unknown[] = []): Promise<T[]> {
    return runInTenant(app, tenantId, (m: EntityManager) => m.query(sql, params) as Promise<T[]>);
  }

  /** Every ledger invariant of every account of the tenant (as in ledger.int-spec.ts). */
  async function expectInvariants(tenantId: string): Promise<void> {
    const rows = await query<Record<string, string>>(
      tenantId,
      `SELECT a.id,
              a.balance::bigint AS balance, a.pending_balance::bigint AS pending,
              (SELECT COALESCE(sum(points), 0) FROM point_transactions t WHERE t.account_id = a.id)::bigint AS ledger,
              (SELECT COALESCE(sum(remaining), 0) FROM point_lots l WHERE l.account_id = a.id AND NOT l.pending)::bigint AS spendable_lots,
              (SELECT COALESCE(sum(remaining), 0) FROM point_lots l WHERE l.account_id = a.id AND l.pending)::bigint AS pending_lots
         FROM loyalty_accounts a`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Number(row.balance)).toBeGreaterThanOrEqual(0);
      expect(Number(row.balance) + Number(row.pending)).toBe(Number(row.ledger));
      expect(row.spendable_lots).toBe(row.balance);
      expect(row.pending_lots).toBe(row.pending);
    }
  }

  async function balances(tenantId: string, accountId: string): Promise<{ balance: number; pending: number }> {
    const [row] = await query<{ balance: string; pending_balance: string }>(
      tenantId,
      `SELECT balance, pending_balance FROM loyalty_accounts WHERE id = $1`,
      [accountId],
    );
    return { balance: Number(row.balance), pending: Number(row.pending_balance) };
  }

  async function expireRows(tenantId: string): Promise<Array<{ account_id: string; points: number }>> {
    return query(
      tenantId,
      `SELECT account_id, points::int AS points FROM point_transactions WHERE type = 'expire' ORDER BY account_id`,
    );
  }

  async function events(tenantId: string, type: string): Promise<Array<Record<string, unknown>>> {
    const rows = await query<{ aggregate_id: string; payload: Record<string, unknown> }>(
      tenantId,
      `SELECT aggregate_id, payload FROM outbox WHERE event_type = $1 ORDER BY sequence`,
      [type],
    );
    for (const row of rows) expect(row.aggregate_id).toBe(row.payload.customer_id);
    return rows.map((row) => row.payload);
  }

  it('writes one expire row and one points.expired event per account that lost points, and keeps the invariants', async () => {
    const owner = await newProgram();
    const a = await newMember(owner, [
      { points: 100, expiresInDays: 9 },
      { points: 50, expiresInDays: null },
    ]);
    const b = await newMember(owner, [
      { points: 40, expiresInDays: 8 },
      { points: 25, expiresInDays: 5 },
      { points: 60, expiresInDays: 15 },
    ]);
    const c = await newMember(owner, [{ points: 70, expiresInDays: 30 }]);
    // Expiring exactly now counts: points are good until, not through, expires_at.
    const d = await newMember(owner, [{ points: 10, earnedDaysAgo: 10, expiresInDays: 10 }]);

    const summary = await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, now);

    expect(summary).toEqual({ tenants: 1, accounts: 3, released: 0, expired: 175, failed: 0 });
    expect(await expireRows(owner.tenantId)).toEqual(
      [
        { account_id: a.accountId, points: -100 },
        { account_id: b.accountId, points: -65 },
        { account_id: d.accountId, points: -10 },
      ].sort((x, y) => x.account_id.localeCompare(y.account_id)),
    );
    expect(await balances(owner.tenantId, a.accountId)).toEqual({ balance: 50, pending: 0 });
    expect(await balances(owner.tenantId, b.accountId)).toEqual({ balance: 60, pending: 0 });
    expect(await balances(owner.tenantId, c.accountId)).toEqual({ balance: 70, pending: 0 });
    const expired = await events(owner.tenantId, 'points.expired');
    expect(expired).toHaveLength(3);
    expect(expired).toEqual(
      expect.arrayContaining([
        { customer_id: a.customerId, program_id: owner.programId, points: 100, balance: 50 },
        { customer_id: b.customerId, program_id: owner.programId, points: 65, balance: 60 },
        { customer_id: d.customerId, program_id: owner.programId, points: 10, balance: 0 },
      ]),
    );
    await expectInvariants(owner.tenantId);
  });

  it('expires only what is left of a lot that was partly spent before it expired', async () => {
    const owner = await newProgram();
    const member = await newMember(owner, [
      { points: 100, expiresInDays: 9 },
      { points: 100, expiresInDays: null },
    ]);
    await runInTenant(app, owner.tenantId, async (m) => {
      const account = await lockAccount(m, owner.tenantId, member.customerId, owner.programId);
      // Spending takes the lot that expires first.
      await debit(m, account, { type: 'redeem', points: 30 });
    });

    const summary = await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, now);

    expect(summary.expired).toBe(70);
    expect(await expireRows(owner.tenantId)).toEqual([{ account_id: member.accountId, points: -70 }]);
    expect(await balances(owner.tenantId, member.accountId)).toEqual({ balance: 100, pending: 0 });
    expect(await events(owner.tenantId, 'points.expired')).toEqual([
      { customer_id: member.customerId, program_id: owner.programId, points: 70, balance: 100 },
    ]);
    await expectInvariants(owner.tenantId);
  });

  it('does not expire points before their expiry', async () => {
    const owner = await newProgram();
    const member = await newMember(owner, [{ points: 100, earnedDaysAgo: 10, expiresInDays: 12 }]);

    expect(await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, daysFrom(now, 1))).toMatchObject({
      expired: 0,
    });
    expect(await balances(owner.tenantId, member.accountId)).toEqual({ balance: 100, pending: 0 });
    expect(await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, daysFrom(now, 2))).toMatchObject({
      expired: 100,
    });
    expect(await balances(owner.tenantId, member.accountId)).toEqual({ balance: 0, pending: 0 });
  });

  it('expires once when run twice, and when two runs go at the same time, across batches', async () => {
    const owner = await newProgram();
    const members = await Promise.all(
      Array.from({ length: 7 }, (_, i) => newMember(owner, [{ points: 10 * (i + 1), expiresInDays: 5 }])),
    );

    // Batches of 2: a run reads its candidates four times, resuming after the last account id.
    const runs = await Promise.all([
      maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, now, 2),
      maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, now, 2),
    ]);
    const again = await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, now, 2);

    expect(runs[0].expired + runs[1].expired).toBe(280);
    expect(runs[0].accounts + runs[1].accounts).toBe(7);
    expect(runs.map((run) => run.failed)).toEqual([0, 0]);
    expect(again).toEqual({ tenants: 1, accounts: 0, released: 0, expired: 0, failed: 0 });
    const rows = await expireRows(owner.tenantId);
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((row) => row.account_id))).toEqual(new Set(members.map((m) => m.accountId)));
    expect(await events(owner.tenantId, 'points.expired')).toHaveLength(7);
    await expectInvariants(owner.tenantId);
  });

  it('keeps the invariants while API earns and spends hit the same accounts during an expiry run', async () => {
    const owner = await newProgram();
    const members = await Promise.all(
      Array.from({ length: 6 }, () =>
        newMember(owner, [
          { points: 200, expiresInDays: 5 },
          { points: 100, expiresInDays: null },
        ]),
      ),
    );

    const traffic = Array.from({ length: 120 }, (_, i) =>
      runInTenant(app, owner.tenantId, async (m) => {
        const member = members[i % members.length];
        const account = await lockAccount(m, owner.tenantId, member.customerId, owner.programId);
        if (i % 3 === 0)
          return credit(m, account, [{ type: 'earn', points: 10 }], { now, availableAt: null, expiresAt: null });
        return debit(m, account, { type: 'redeem', points: 15 });
      }),
    );
    const [run, ...outcomes] = await Promise.allSettled([
      maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, now, 2),
      ...traffic,
    ]);

    expect(run.status).toBe('fulfilled');
    expect((run as PromiseFulfilledResult<{ failed: number }>).value.failed).toBe(0);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected'))
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientPointsError);
    await expectInvariants(owner.tenantId);
    // Whatever the interleaving, nothing expired is left spendable and no account expired twice.
    const [{ left }] = await query<{ left: string }>(
      owner.tenantId,
      `SELECT COALESCE(sum(remaining), 0)::int AS left FROM point_lots WHERE expires_at <= $1`,
      [now],
    );
    expect(Number(left)).toBe(0);
    const rows = await expireRows(owner.tenantId);
    expect(new Set(rows.map((row) => row.account_id)).size).toBe(rows.length);
    const expired = await events(owner.tenantId, 'points.expired');
    expect(expired.map((event) => event.points).sort()).toEqual(rows.map((row) => -row.points).sort());
  });

  it('makes pending points spendable once their period is over, and not before', async () => {
    const owner = await newProgram();
    // Earned now, held for 3 days; a second account's held points were partly reversed meanwhile.
    const member = await newMember(owner, [{ points: 100, earnedDaysAgo: 0, pendingDays: 3, expiresInDays: 365 }]);
    const reversed = await newMember(owner, [{ points: 80, earnedDaysAgo: 0, pendingDays: 3 }]);
    await runInTenant(app, owner.tenantId, async (m) => {
      const account = await lockAccount(m, owner.tenantId, reversed.customerId, owner.programId);
      await debit(m, account, { type: 'reverse', points: 30, includePending: true, allowShortfall: true });
    });

    expect(await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, daysFrom(now, 2))).toEqual({
      tenants: 1,
      accounts: 0,
      released: 0,
      expired: 0,
      failed: 0,
    });
    expect(await balances(owner.tenantId, member.accountId)).toEqual({ balance: 0, pending: 100 });
    expect(await events(owner.tenantId, 'points.available')).toEqual([]);
    await expect(
      runInTenant(app, owner.tenantId, async (m) => {
        const account = await lockAccount(m, owner.tenantId, member.customerId, owner.programId);
        await debit(m, account, { type: 'redeem', points: 1 });
      }),
    ).rejects.toThrow(InsufficientPointsError);

    const released = await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, daysFrom(now, 3));
    expect(released).toEqual({ tenants: 1, accounts: 2, released: 150, expired: 0, failed: 0 });
    expect(await balances(owner.tenantId, member.accountId)).toEqual({ balance: 100, pending: 0 });
    expect(await balances(owner.tenantId, reversed.accountId)).toEqual({ balance: 50, pending: 0 });
    expect(await events(owner.tenantId, 'points.available')).toEqual(
      expect.arrayContaining([
        { customer_id: member.customerId, program_id: owner.programId, points: 100, balance: 100 },
        { customer_id: reversed.customerId, program_id: owner.programId, points: 50, balance: 50 },
      ]),
    );
    expect(await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, daysFrom(now, 4))).toMatchObject({
      released: 0,
    });
    expect(await events(owner.tenantId, 'points.available')).toHaveLength(2);
    await runInTenant(app, owner.tenantId, async (m) => {
      const account = await lockAccount(m, owner.tenantId, member.customerId, owner.programId);
      await debit(m, account, { type: 'redeem', points: 100 });
    });
    await expectInvariants(owner.tenantId);
  });

  it('writes off, in the same run that releases it, a held lot that expired before its pending period ended', async () => {
    const owner = await newProgram();
    // Held for 8 days but good for only 5: released and expired by now (earned 10 days ago).
    const member = await newMember(owner, [
      { points: 100, earnedDaysAgo: 10, pendingDays: 8, expiresInDays: 5 },
      { points: 40, earnedDaysAgo: 10, pendingDays: 3, expiresInDays: 30 },
      { points: 25, earnedDaysAgo: 10, expiresInDays: null },
    ]);
    expect(await balances(owner.tenantId, member.accountId)).toEqual({ balance: 25, pending: 140 });

    const summary = await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, now);

    expect(summary).toEqual({ tenants: 1, accounts: 1, released: 140, expired: 100, failed: 0 });
    expect(await balances(owner.tenantId, member.accountId)).toEqual({ balance: 65, pending: 0 });
    expect(
      await query(
        owner.tenantId,
        `SELECT type, points::int AS points, balance_after::int AS balance_after FROM point_transactions
          WHERE type = 'expire'`,
      ),
    ).toEqual([{ type: 'expire', points: -100, balance_after: 65 }]);
    // In the order they happened, each with the balance its step left.
    expect(await query(owner.tenantId, `SELECT event_type, payload FROM outbox ORDER BY sequence`)).toEqual([
      {
        event_type: 'points.available',
        payload: { customer_id: member.customerId, program_id: owner.programId, points: 140, balance: 165 },
      },
      {
        event_type: 'points.expired',
        payload: { customer_id: member.customerId, program_id: owner.programId, points: 100, balance: 65 },
      },
    ]);
    await expectInvariants(owner.tenantId);

    expect(await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, daysFrom(now, 1))).toEqual({
      tenants: 1,
      accounts: 0,
      released: 0,
      expired: 0,
      failed: 0,
    });
    expect(await query(owner.tenantId, `SELECT 1 FROM outbox`)).toHaveLength(2);
  });

  it('goes through every tenant, each seeing only its own accounts', async () => {
    const [first, second] = [await newProgram(), await newProgram()];
    const a = await newMember(first, [{ points: 30, expiresInDays: 1 }]);
    const b = await newMember(second, [{ points: 45, expiresInDays: 1 }]);

    const summary = await maintenance.releaseAndExpirePoints(now);

    expect(summary.failed).toBe(0);
    expect(summary.tenants).toBeGreaterThanOrEqual(2);
    expect(await expireRows(first.tenantId)).toEqual([{ account_id: a.accountId, points: -30 }]);
    expect(await expireRows(second.tenantId)).toEqual([{ account_id: b.accountId, points: -45 }]);
  });

  it('shows, before the jobs run, the balances they will leave (duePointsJoin), for any lots', async () => {
    const lot = fc.record({
      points: fc.integer({ min: 1, max: 200 }),
      earnedDaysAgo: fc.integer({ min: 0, max: 20 }),
      expiresInDays: fc.option(fc.integer({ min: 0, max: 30 })),
      pendingDays: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(lot, { minLength: 1, maxLength: 6 }), fc.nat({ max: 400 }), async (lots, spend) => {
        const owner = await newProgram();
        const member = await newMember(owner, lots);
        await runInTenant(app, owner.tenantId, async (m) => {
          const account = await lockAccount(m, owner.tenantId, member.customerId, owner.programId);
          // Some spent first, from the lots that expire first: partly used lots.
          const points = Math.min(spend, account.balance);
          if (points > 0) await debit(m, account, { type: 'redeem', points });
        });
        const points = pointsNow('a');
        const [shown] = await query<{ balance: string; pending: string }>(
          owner.tenantId,
          `SELECT ${points.balance} AS balance, ${points.pending} AS pending
             FROM loyalty_accounts a ${duePointsJoin('a', '$2::timestamptz')} WHERE a.id = $1`,
          [member.accountId, now],
        );
        // One run leaves them: what it releases and has expired too is written off in the same run.
        await maintenance.releaseAndExpirePointsOfTenant(owner.tenantId, now);
        expect({ balance: Number(shown.balance), pending: Number(shown.pending) }).toEqual(
          await balances(owner.tenantId, member.accountId),
        );
      }),
      { numRuns: 30 },
    );
  });

  describe('in the worker process', () => {
    let prefix: string;
    let worker: INestApplicationContext;

    beforeAll(() => {
      prefix = isolateQueuePrefix();
      process.env.POINTS_EXPIRY_EVERY_MS = '300';
    });

    afterAll(async () => {
      await worker?.close();
      await deleteRedisKeys(prefix);
      delete process.env.POINTS_EXPIRY_EVERY_MS;
    });

    it('registers one schedule that releases and expires due points, and retires the release-only one', async () => {
      const owner = await newProgram();
      const expiring = await newMember(owner, [{ points: 40, earnedDaysAgo: 10, expiresInDays: 1 }]);
      const held = await newMember(owner, [{ points: 25, earnedDaysAgo: 10, pendingDays: 2 }]);
      // The schedule an earlier version registered for releases alone, still in Redis.
      const previous = new Queue(QueueName.Loyalty, {
        connection: redisOptionsFromUrl(process.env.REDIS_URL!),
        prefix,
      });
      await previous.upsertJobScheduler(
        LoyaltyJob.ReleasePendingPoints,
        { every: 60_000 },
        { name: LoyaltyJob.ReleasePendingPoints },
      );
      await previous.close();

      worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
      await worker.init();

      const deadline = Date.now() + 15_000;
      let state = { expired: 0, available: 0 };
      while (Date.now() < deadline) {
        state = {
          expired: (await events(owner.tenantId, 'points.expired')).length,
          available: (await events(owner.tenantId, 'points.available')).length,
        };
        if (state.expired === 1 && state.available === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(state).toEqual({ expired: 1, available: 1 });
      expect(await balances(owner.tenantId, expiring.accountId)).toEqual({ balance: 0, pending: 0 });
      expect(await balances(owner.tenantId, held.accountId)).toEqual({ balance: 25, pending: 0 });

      const queue = worker.get<Queue>(getQueueToken(QueueName.Loyalty), { strict: false });
      const schedulers = await queue.getJobSchedulers();
      expect(Object.fromEntries(schedulers.map((s) => [s.key, Number(s.every)]))).toEqual({
        [LoyaltyJob.ExpirePoints]: 300,
        [LoyaltyJob.ReviewTiers]: 86_400_000,
      });
      expect(queue.opts.prefix).toBe(prefix);
      // Several runs have gone by: still one expiry and one release.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await expireRows(owner.tenantId)).toHaveLength(1);
      expect(await events(owner.tenantId, 'points.available')).toHaveLength(1);
    });
  });
});
