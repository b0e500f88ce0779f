import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AppModule } from '../src/app.module';
import { createHttpApp } from '../src/common/http/http-app';
import { databaseName, withDatabase, withScratchDatabase } from '../src/database/database-admin';
import { runInTenant, runWithoutTenant } from '../src/database/tenant-transaction';
import { TokenService } from '../src/modules/accounts/token.service';
import { credit, lockAccount } from '../src/modules/loyalty/ledger/ledger';
import { generateVoucherCode } from '../src/modules/rewards/voucher-code';
import { baselinePool, BenchOptions, measure, measureHttp, postJson, report, RunResult } from './harness';
import { BenchServer } from './server';

const CUSTOMERS = 1000;
const REWARDS = 50;
const POINT_COST = 10;
const POINTS_EACH = 10_000_000;
const STOCK = 1_000_000_000;

interface Catalog {
  tenantId: string;
  programId: string;
  customers: Array<{ id: string; bearer: string }>;
  rewards: string[];
  hotReward: string;
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];

/**
 * POST /api/rewards/{id}/redeem through the full HTTP stack (JWT check, rate limit, idempotency
 * service, eligibility, ledger, voucher, outbox, stock) against the same redemption written by hand
 * in raw SQL with pg (one transaction: account lock, lot consumption, balance, ledger row,
 * redemption, its lots, outbox, stock), at the same concurrency and the same pool size. Two mixes:
 * many customers over many rewards, and many customers at one hot reward (every redemption
 * takes the same stock row). Runs on a scratch database, dropped afterwards.
 */
export async function redeemBenchmark({ concurrency, seconds }: BenchOptions) {
  process.env.LOG_LEVEL = 'warn';
  const ownerUrl = process.env.DATABASE_OWNER_URL;
  const appUrl = process.env.DATABASE_URL;
  if (!ownerUrl || !appUrl) throw new Error('DATABASE_URL and DATABASE_OWNER_URL are required');

  await withScratchDatabase(ownerUrl, async (scratchOwnerUrl) => {
    process.env.DATABASE_URL = withDatabase(appUrl, databaseName(scratchOwnerUrl));
    // In this process for seeding and checks only; the requests go to the server's own process.
    const app = await createHttpApp(AppModule);
    await app.init();
    const server = await BenchServer.start();

    const pool = baselinePool(process.env.DATABASE_URL);
    try {
      const catalog = await seed(app.get(DataSource), app.get(TokenService));
      // Redemptions by random customers, prepared up front; sending one again is a redemption like another.
      const api = (rewardId: () => string, count: number) =>
        Array.from({ length: count }, () =>
          postJson(`/api/rewards/${rewardId()}/redeem`, {}, { authorization: pick(catalog.customers).bearer }),
        );
      const raw = (rewardId: () => string) => () => redeemInSql(pool, catalog, pick(catalog.customers).id, rewardId());
      const runs: Array<[RunResult, RunResult]> = [];
      for (const [mix, rewardId] of [
        [`${REWARDS} rewards`, () => pick(catalog.rewards)],
        ['1 hot reward', () => catalog.hotReward],
      ] as const) {
        const baseline = await measure(`raw pg: redeem (${mix})`, raw(rewardId), { concurrency, seconds });
        const calls = api(rewardId, 3 * baseline.requests + 1000);
        const subject = await measureHttp(`API: POST redeem (${mix})`, server, calls, {
          concurrency,
          seconds,
          repeat: true,
        });
        runs.push([baseline, subject]);
      }
      for (const [baseline, subject] of runs) report(baseline, subject);
      await checkLedger(app.get(DataSource), catalog);
    } finally {
      await pool.end();
      await server.stop();
      await app.close();
    }
  });
}

/** One tenant, its default program, CUSTOMERS customers rich in points, REWARDS rewards and a hot one. */
async function seed(dataSource: DataSource, tokens: TokenService): Promise<Catalog> {
  const [tenant] = (await runWithoutTenant(dataSource, (manager) =>
    manager.query(`INSERT INTO tenants (name, slug, plan) VALUES ('Bench', $1, 'enterprise') RETURNING id`, [
      `bench-${randomUUID().slice(0, 8)}`,
    ]),
  )) as Array<{ id: string }>;
  const tenantId = tenant.id;
  const ids = Array.from({ length: CUSTOMERS }, () => randomUUID());
  const { programId, rewards } = await runInTenant(dataSource, tenantId, async (manager) => {
    const [program] = (await manager.query(
      `INSERT INTO programs (tenant_id, name, is_default) VALUES ($1, 'Bench', true) RETURNING id`,
      [tenantId],
    )) as Array<{ id: string }>;
    await manager.query(
      `INSERT INTO users (tenant_id, id, email, password_hash, role) SELECT $1, id, id || '@bench.local', 'x', 'customer'
         FROM unnest($2::uuid[]) AS id`,
      [tenantId, ids],
    );
    await manager.query(`INSERT INTO customers (tenant_id, id) SELECT $1, id FROM unnest($2::uuid[]) AS id`, [
      tenantId,
      ids,
    ]);
    const rows = (await manager.query(
      `INSERT INTO rewards (tenant_id, program_id, name, point_cost, quantity_available)
       SELECT $1, $2, 'Reward ' || n, $3, $4 FROM generate_series(0, $5) AS n RETURNING id`,
      [tenantId, program.id, POINT_COST, STOCK, REWARDS],
    )) as Array<{ id: string }>;
    return { programId: program.id, rewards: rows.map((row) => row.id) };
  });
  const now = new Date();
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(
      ids.slice(i, i + 20).map((customerId) =>
        runInTenant(dataSource, tenantId, async (manager) => {
          const account = await lockAccount(manager, tenantId, customerId, programId);
          // Four lots, so that redemptions consume across lots as they do in life.
          for (const days of [30, 90, 365, null]) {
            await credit(manager, account, [{ type: 'earn', points: POINTS_EACH / 4 }], {
              now,
              availableAt: null,
              expiresAt: days === null ? null : new Date(now.getTime() + days * 86_400_000),
            });
          }
        }),
      ),
    );
  }
  return {
    tenantId,
    programId,
    customers: ids.map((id) => ({
      id,
      bearer: `Bearer ${tokens.issueAccess({ sub: id, tid: tenantId, role: 'customer' }).access_token}`,
    })),
    rewards: rewards.slice(1),
    hotReward: rewards[0],
  };
}

/** The same redemption by hand: the statements a careful engineer would write without the framework. */
async function redeemInSql(pool: Pool, catalog: Catalog, customerId: string, rewardId: string): Promise<void> {
  const { tenantId, programId } = catalog;
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    const {
      rows: [reward],
    } = await client.query<{ point_cost: number }>(
      `SELECT point_cost FROM rewards WHERE tenant_id = $1 AND id = $2 AND active AND deleted_at IS NULL`,
      [tenantId, rewardId],
    );
    const {
      rows: [account],
    } = await client.query<{ id: string; balance: string }>(
      `SELECT id, balance FROM loyalty_accounts WHERE tenant_id = $1 AND customer_id = $2 AND program_id = $3 FOR UPDATE`,
      [tenantId, customerId, programId],
    );
    if (Number(account.balance) < reward.point_cost) throw new Error('insufficient points');
    const { rows: lots } = await client.query<{ id: string; amount: string }>(
      `WITH ordered AS (
         SELECT id, remaining, sum(remaining) OVER (ORDER BY expires_at NULLS LAST, earned_at, id) - remaining AS before
           FROM point_lots WHERE tenant_id = $1 AND account_id = $2 AND remaining > 0 AND NOT pending
       )
       UPDATE point_lots l SET remaining = l.remaining - LEAST(o.remaining, $3 - o.before)
         FROM ordered o WHERE l.tenant_id = $1 AND l.id = o.id AND o.before < $3
       RETURNING l.id, LEAST(o.remaining, $3 - o.before) AS amount`,
      [tenantId, account.id, reward.point_cost],
    );
    const {
      rows: [{ balance }],
    } = await client.query<{ balance: string }>(
      `UPDATE loyalty_accounts SET balance = balance - $3 WHERE tenant_id = $1 AND id = $2 RETURNING balance`,
      [tenantId, account.id, reward.point_cost],
    );
    const redemptionId = randomUUID();
    const {
      rows: [transaction],
    } = await client.query<{ id: string }>(
      `INSERT INTO point_transactions (tenant_id, account_id, type, points, balance_after, reference)
       VALUES ($1, $2, 'redeem', $3, $4, $5) RETURNING id`,
      [tenantId, account.id, -reward.point_cost, balance, redemptionId],
    );
    await client.query(
      `INSERT INTO redemptions (tenant_id, id, reward_id, customer_id, account_id, code, points_used, transaction_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        tenantId,
        redemptionId,
        rewardId,
        customerId,
        account.id,
        generateVoucherCode(),
        reward.point_cost,
        transaction.id,
      ],
    );
    await client.query(
      `INSERT INTO redemption_lots (tenant_id, redemption_id, lot_id, points)
       SELECT $1, $2, lot.id, lot.points FROM unnest($3::uuid[], $4::bigint[]) AS lot(id, points)`,
      [tenantId, redemptionId, lots.map((lot) => lot.id), lots.map((lot) => lot.amount)],
    );
    await client.query(
      `INSERT INTO outbox (tenant_id, event_type, aggregate_type, aggregate_id, payload)
       VALUES ($1, 'reward.redeemed', 'customer', $2, $3)`,
      [tenantId, customerId, JSON.stringify({ redemption_id: redemptionId, reward_id: rewardId })],
    );
    const stock = await client.query(
      `UPDATE rewards SET quantity_available = quantity_available - 1
        WHERE tenant_id = $1 AND id = $2 AND quantity_available > 0`,
      [tenantId, rewardId],
    );
    if (stock.rowCount !== 1) throw new Error('out of stock');
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** After the runs: every balance equals its ledger sum, and the stock taken equals the redemptions made. */
async function checkLedger(dataSource: DataSource, catalog: Catalog): Promise<void> {
  const [row] = (await runInTenant(dataSource, catalog.tenantId, (manager) =>
    manager.query(
      `SELECT (SELECT count(*) FROM loyalty_accounts a
                WHERE a.balance <> (SELECT sum(points) FROM point_transactions t WHERE t.account_id = a.id))::int AS drifted,
              (SELECT count(*) FROM redemptions)::int AS redemptions,
              (SELECT sum($1::bigint - quantity_available) FROM rewards)::bigint AS stock_taken`,
      [STOCK],
    ),
  )) as Array<{ drifted: number; redemptions: number; stock_taken: string }>;
  console.log(
    `check: ${row.redemptions} redemptions, stock taken ${row.stock_taken}, accounts whose balance differs from the ledger: ${row.drifted}`,
  );
  if (row.drifted !== 0 || Number(row.stock_taken) !== row.redemptions) throw new Error('ledger or stock drifted');
}
