import { getQueueToken } from '@nestjs/bullmq';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { LoyaltyJob, QueueName } from '../../src/common/queue/queues';
import { createDataSource } from '../../src/database/data-source';
import { TenantDatabase } from '../../src/database/tenant-database.service';
import { runInTenant } from '../../src/database/tenant-transaction';
import { credit, lockAccount } from '../../src/modules/loyalty/ledger/ledger';
import { LedgerMaintenanceService } from '../../src/modules/loyalty/ledger/ledger-maintenance.service';
import { DowngradePolicy } from '../../src/modules/loyalty/tiers/tier-evaluation';
import { WorkerModule } from '../../src/worker.module';
import { factories } from '../support/factories';
import { deleteRedisKeys, isolateQueuePrefix } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const DAY = 86_400_000;
const daysFrom = (instant: Date, days: number) => new Date(instant.getTime() + days * DAY);

interface Ladder {
  tenantId: string;
  programId: string;
  bronze: string;
  silver: string;
  gold: string;
}

interface Member {
  accountId: string;
  customerId: string;
}

describe('scheduled tier review', () => {
  let database: TestDatabase;
  let app: DataSource;
  let make: ReturnType<typeof factories>;
  let maintenance: LedgerMaintenanceService;
  // The review's clock. moveTier stamps tier_since with the database clock, so this stays near it.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createDataSource({ url: database.appUrl, poolSize: 10 }).initialize();
    make = factories(app);
    maintenance = new LedgerMaintenanceService(new TenantDatabase(app));
  });

  afterAll(async () => {
    await app?.destroy();
    await database?.drop();
  });

  /** Bronze for everyone; Silver at 500 and Gold at 1 000 points earned in the last 365 days. */
  async function newLadder(policy: DowngradePolicy): Promise<Ladder> {
    const tenant = await make.tenant();
    return runInTenant(app, tenant.id, async (m) => {
      const [program] = await m.query(
        `INSERT INTO programs (tenant_id, name, tier_downgrade_policy) VALUES ($1, 'P', $2) RETURNING id`,
        [tenant.id, policy],
      );
      const tier = async (name: string, rank: number, threshold: number, basis: string, windowDays: number | null) => {
        const [row] = await m.query(
          `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold, basis, window_days)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [tenant.id, program.id, name, rank, threshold, basis, windowDays],
        );
        return row.id as string;
      };
      return {
        tenantId: tenant.id,
        programId: program.id,
        bronze: await tier('Bronze', 0, 0, 'lifetime', null),
        silver: await tier('Silver', 1, 500, 'qualifying', 365),
        gold: await tier('Gold', 2, 1000, 'qualifying', 365),
      };
    });
  }

  /**
   * A customer with points earned on the given days before `now` (straight into the ledger, so no
   * upgrade happened at earn time) and, optionally, a tier held since `tierSinceDaysAgo`.
   */
  async function newMember(
    ladder: Ladder,
    earns: Array<{ points: number; daysAgo: number }>,
    tier?: { id: string; sinceDaysAgo: number },
  ): Promise<Member> {
    return runInTenant(app, ladder.tenantId, async (m) => {
      const [customer] = await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [ladder.tenantId]);
      const account = await lockAccount(m, ladder.tenantId, customer.id, ladder.programId);
      for (const earn of earns) {
        await credit(m, account, [{ type: 'earn', points: earn.points }], {
          now: daysFrom(now, -earn.daysAgo),
          availableAt: null,
          expiresAt: null,
        });
      }
      if (tier) {
        await m.query(`UPDATE loyalty_accounts SET tier_id = $2, tier_since = $3 WHERE id = $1`, [
          account.id,
          tier.id,
          daysFrom(now, -tier.sinceDaysAgo),
        ]);
      }
      return { accountId: account.id, customerId: customer.id };
    });
  }

  async function tierOf(ladder: Ladder, member: Member): Promise<string | null> {
    const [row] = await runInTenant(app, ladder.tenantId, (m) =>
      m.query(`SELECT tier_id FROM loyalty_accounts WHERE id = $1`, [member.accountId]),
    );
    return row.tier_id;
  }

  async function changesOf(ladder: Ladder, member: Member) {
    return runInTenant(app, ladder.tenantId, (m) =>
      m.query(
        `SELECT from_tier_id, to_tier_id, reason FROM tier_changes WHERE account_id = $1 ORDER BY changed_at, id`,
        [member.accountId],
      ),
    ) as Promise<Array<{ from_tier_id: string | null; to_tier_id: string | null; reason: string }>>;
  }

  async function eventsOf(ladder: Ladder, member: Member) {
    const rows = (await runInTenant(app, ladder.tenantId, (m) =>
      m.query(`SELECT payload FROM outbox WHERE event_type = 'tier.changed' AND aggregate_id = $1 ORDER BY sequence`, [
        member.customerId,
      ]),
    )) as Array<{ payload: Record<string, unknown> }>;
    return rows.map((row) => row.payload);
  }

  const tierRef = (ladder: Ladder, id: string | null) =>
    id === null
      ? null
      : {
          id,
          name: id === ladder.bronze ? 'Bronze' : id === ladder.silver ? 'Silver' : id === ladder.gold ? 'Gold' : '?',
        };

  it('upgrades on qualifying points even where tiers never drop, in batches, and records each change', async () => {
    const ladder = await newLadder('never');
    const gold = await newMember(ladder, [{ points: 1200, daysAgo: 30 }]);
    const silver = await newMember(ladder, [
      { points: 300, daysAgo: 100 },
      { points: 250, daysAgo: 2 },
    ]);
    // Points earned before the window count for lifetime tiers only.
    const lapsed = await newMember(ladder, [{ points: 2000, daysAgo: 400 }]);
    const fromSilver = await newMember(ladder, [{ points: 1000, daysAgo: 1 }], { id: ladder.silver, sinceDaysAgo: 3 });
    const kept = await newMember(ladder, [{ points: 1000, daysAgo: 1 }], { id: ladder.gold, sinceDaysAgo: 1 });

    const summary = await maintenance.reviewTiersOfTenant(ladder.tenantId, now, 2);

    expect(summary).toEqual({ programs: 1, reviewed: 5, upgraded: 4, downgraded: 0, failed: 0 });
    expect(await tierOf(ladder, gold)).toBe(ladder.gold);
    expect(await tierOf(ladder, silver)).toBe(ladder.silver);
    expect(await tierOf(ladder, lapsed)).toBe(ladder.bronze);
    expect(await tierOf(ladder, fromSilver)).toBe(ladder.gold);
    expect(await tierOf(ladder, kept)).toBe(ladder.gold);
    expect(await changesOf(ladder, fromSilver)).toEqual([
      { from_tier_id: ladder.silver, to_tier_id: ladder.gold, reason: 'review' },
    ]);
    expect(await changesOf(ladder, gold)).toEqual([{ from_tier_id: null, to_tier_id: ladder.gold, reason: 'review' }]);
    expect(await changesOf(ladder, kept)).toEqual([]);
    expect(await eventsOf(ladder, fromSilver)).toEqual([
      {
        customer_id: fromSilver.customerId,
        program_id: ladder.programId,
        from_tier: tierRef(ladder, ladder.silver),
        to_tier: tierRef(ladder, ladder.gold),
        direction: 'up',
        reason: 'review',
      },
    ]);
    expect(await eventsOf(ladder, kept)).toEqual([]);

    // A second review finds nothing to change.
    expect(await maintenance.reviewTiersOfTenant(ladder.tenantId, now, 2)).toMatchObject({
      upgraded: 0,
      downgraded: 0,
    });
    expect(await changesOf(ladder, gold)).toHaveLength(1);
    expect(await eventsOf(ladder, gold)).toHaveLength(1);
  });

  it("'never' keeps a tier the points no longer earn", async () => {
    const ladder = await newLadder('never');
    const member = await newMember(ladder, [{ points: 1200, daysAgo: 500 }], { id: ladder.gold, sinceDaysAgo: 480 });

    const summary = await maintenance.reviewTiersOfTenant(ladder.tenantId, now);

    expect(summary).toMatchObject({ reviewed: 1, upgraded: 0, downgraded: 0 });
    expect(await tierOf(ladder, member)).toBe(ladder.gold);
    expect(await changesOf(ladder, member)).toEqual([]);
    expect(await eventsOf(ladder, member)).toEqual([]);
  });

  it("'period_end' drops to what the points earn once the tier was held for its period, not before", async () => {
    const ladder = await newLadder('period_end');
    const quiet = await newMember(
      ladder,
      [
        { points: 1200, daysAgo: 500 },
        { points: 100, daysAgo: 20 },
      ],
      { id: ladder.gold, sinceDaysAgo: 400 },
    );
    const recent = await newMember(ladder, [{ points: 1200, daysAgo: 500 }], { id: ladder.gold, sinceDaysAgo: 100 });

    const summary = await maintenance.reviewTiersOfTenant(ladder.tenantId, now);

    expect(summary).toMatchObject({ reviewed: 2, upgraded: 0, downgraded: 1, failed: 0 });
    expect(await tierOf(ladder, quiet)).toBe(ladder.bronze);
    expect(await changesOf(ladder, quiet)).toEqual([
      { from_tier_id: ladder.gold, to_tier_id: ladder.bronze, reason: 'review_downgrade' },
    ]);
    expect(await eventsOf(ladder, quiet)).toEqual([
      {
        customer_id: quiet.customerId,
        program_id: ladder.programId,
        from_tier: tierRef(ladder, ladder.gold),
        to_tier: tierRef(ladder, ladder.bronze),
        direction: 'down',
        reason: 'review_downgrade',
      },
    ]);
    expect(await tierOf(ladder, recent)).toBe(ladder.gold);

    // The recent one's year with Gold ends 265 days later: then the review takes it away.
    expect(await maintenance.reviewTiersOfTenant(ladder.tenantId, daysFrom(now, 264))).toMatchObject({
      downgraded: 0,
    });
    expect(await tierOf(ladder, recent)).toBe(ladder.gold);
    expect(await maintenance.reviewTiersOfTenant(ladder.tenantId, daysFrom(now, 265))).toMatchObject({
      downgraded: 1,
    });
    expect(await tierOf(ladder, recent)).toBe(ladder.bronze);
    expect(await changesOf(ladder, quiet)).toHaveLength(1);
  });

  it("'one_step' drops one rank per period, however often the review runs", async () => {
    const ladder = await newLadder('one_step');
    const member = await newMember(
      ladder,
      [
        { points: 1200, daysAgo: 500 },
        { points: 100, daysAgo: 20 },
      ],
      { id: ladder.gold, sinceDaysAgo: 400 },
    );

    expect(await maintenance.reviewTiersOfTenant(ladder.tenantId, now)).toMatchObject({ downgraded: 1 });
    expect(await tierOf(ladder, member)).toBe(ladder.silver);

    // Daily reviews during the next year keep Silver: the drop restarted the period.
    for (const day of [1, 2, 364]) {
      expect(await maintenance.reviewTiersOfTenant(ladder.tenantId, daysFrom(now, day))).toMatchObject({
        downgraded: 0,
      });
    }
    expect(await tierOf(ladder, member)).toBe(ladder.silver);

    expect(await maintenance.reviewTiersOfTenant(ladder.tenantId, daysFrom(now, 366))).toMatchObject({
      downgraded: 1,
    });
    expect(await tierOf(ladder, member)).toBe(ladder.bronze);
    expect(await changesOf(ladder, member)).toEqual([
      { from_tier_id: ladder.gold, to_tier_id: ladder.silver, reason: 'review_downgrade' },
      { from_tier_id: ladder.silver, to_tier_id: ladder.bronze, reason: 'review_downgrade' },
    ]);
    expect((await eventsOf(ladder, member)).map((event) => [event.direction, event.to_tier])).toEqual([
      ['down', tierRef(ladder, ladder.silver)],
      ['down', tierRef(ladder, ladder.bronze)],
    ]);
  });

  it('reviews every tenant, and leaves programs without tiers alone', async () => {
    const ladder = await newLadder('period_end');
    const member = await newMember(ladder, [{ points: 700, daysAgo: 5 }]);
    const bare = await make.tenant();
    await runInTenant(app, bare.id, async (m) => {
      const [program] = await m.query(`INSERT INTO programs (tenant_id, name) VALUES ($1, 'P') RETURNING id`, [
        bare.id,
      ]);
      const [customer] = await m.query(`INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`, [bare.id]);
      await lockAccount(m, bare.id, customer.id, program.id);
    });

    const summary = await maintenance.reviewTiers(now);

    expect(summary.failed).toBe(0);
    expect(summary.tenants).toBeGreaterThanOrEqual(2);
    expect(await tierOf(ladder, member)).toBe(ladder.silver);
    const [{ count }] = await runInTenant(app, bare.id, (m) =>
      m.query(`SELECT count(*)::int AS count FROM tier_changes`),
    );
    expect(count).toBe(0);
  });

  describe('in the worker process', () => {
    let prefix: string;
    let worker: INestApplicationContext;

    beforeAll(() => {
      prefix = isolateQueuePrefix();
      process.env.TIER_REVIEW_EVERY_MS = '400';
    });

    afterAll(async () => {
      await worker?.close();
      await deleteRedisKeys(prefix);
      delete process.env.TIER_REVIEW_EVERY_MS;
    });

    it('registers the tier review schedule and reviews on it', async () => {
      const ladder = await newLadder('never');
      const member = await newMember(ladder, [{ points: 1100, daysAgo: 3 }]);

      worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
      await worker.init();

      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (await tierOf(ladder, member)) !== ladder.gold)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await tierOf(ladder, member)).toBe(ladder.gold);
      expect(await eventsOf(ladder, member)).toHaveLength(1);

      const queue = worker.get<Queue>(getQueueToken(QueueName.Loyalty), { strict: false });
      const schedulers = await queue.getJobSchedulers();
      const review = schedulers.find((s) => s.key === LoyaltyJob.ReviewTiers);
      expect(Number(review?.every)).toBe(400);
      // One points pass (release, then expiry), beside the tier review; the old release schedule is gone.
      expect(schedulers.map((s) => s.key).sort()).toEqual([LoyaltyJob.ExpirePoints, LoyaltyJob.ReviewTiers].sort());
    });
  });
});
