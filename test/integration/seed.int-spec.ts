import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant } from '../../src/database/tenant-transaction';
import { verifyPassword } from '../../src/modules/accounts/passwords';
import {
  DEMO_ACCESS_LEVELS,
  DEMO_ACHIEVEMENTS,
  DEMO_CHALLENGES,
  DEMO_CONTENT,
  DEMO_CUSTOMERS,
  DEMO_EVENTS,
  DEMO_LOCATIONS,
  DEMO_OWNER,
  DEMO_REWARDS,
} from '../../scripts/seed/demo-content';
import { DemoSeedResult, seedDemo } from '../../scripts/seed/seed-demo';
import { startTestApp, TestApp } from '../support/test-app';

/** Row counts of every table the demo seed writes to. */
const SEEDED_TABLES = [
  'users',
  'programs',
  'tiers',
  'rules',
  'locations',
  'rewards',
  'events',
  'event_registrations',
  'achievements',
  'challenges',
  'access_levels',
  'content_items',
  'customers',
  'loyalty_accounts',
  'point_transactions',
  'point_lots',
  'tier_changes',
];

/** The demo seed on a fresh database, then the real API on it, as `npm run up` leaves a developer. */
describe('demo seed', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let first: DemoSeedResult;
  const password = 'demo-seed-test-passphrase';

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    first = await seedDemo(dataSource, { password });
  });

  afterAll(async () => t?.close());

  const query = <T>(sql: string, parameters: unknown[] = []): Promise<T[]> =>
    runInTenant(dataSource, first.tenantId, (manager) => manager.query(sql, parameters)) as Promise<T[]>;

  const counts = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      await Promise.all(
        SEEDED_TABLES.map(
          async (table) =>
            [table, (await query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n] as const,
        ),
      ),
    );

  it('creates the demo tenant with every part of the product', async () => {
    expect(first.slug).toBe('demo');
    expect(first.added).toEqual({
      owner: 1,
      program: 1,
      tiers: 3,
      rules: 4,
      locations: DEMO_LOCATIONS.length,
      rewards: DEMO_REWARDS.length,
      events: DEMO_EVENTS.length,
      achievements: DEMO_ACHIEVEMENTS.length,
      challenges: DEMO_CHALLENGES.length,
      accessLevels: DEMO_ACCESS_LEVELS.length,
      contentItems: DEMO_CONTENT.length,
      customers: DEMO_CUSTOMERS.length,
    });
    const ruleTypes = await query<{ rule_type: string }>(`SELECT rule_type FROM rules WHERE active ORDER BY rule_type`);
    expect(ruleTypes.map((rule) => rule.rule_type)).toEqual(['check_in', 'event_attendance', 'purchase', 'signup']);
  });

  it('gives the demo customers points whose ledger, lots and balances agree, and the tier they reach', async () => {
    const accounts = await query<{
      email: string;
      balance: number;
      lifetime: number;
      ledger: number;
      lots: number;
      tier: string | null;
      tier_changes: number;
    }>(
      `SELECT c.email, a.balance::int AS balance, a.lifetime_points::int AS lifetime,
              (SELECT sum(points)::int FROM point_transactions t WHERE t.account_id = a.id) AS ledger,
              (SELECT sum(remaining)::int FROM point_lots l WHERE l.account_id = a.id AND NOT l.pending) AS lots,
              (SELECT name FROM tiers WHERE id = a.tier_id) AS tier,
              (SELECT count(*)::int FROM tier_changes tc WHERE tc.account_id = a.id) AS tier_changes
         FROM loyalty_accounts a JOIN customers c ON c.id = a.customer_id
        ORDER BY c.email`,
    );
    expect(accounts).toEqual([
      {
        email: 'alice@demo.beacon.local',
        balance: 725,
        lifetime: 725,
        ledger: 725,
        lots: 725,
        tier: 'Silver',
        tier_changes: 1,
      },
      {
        email: 'ben@demo.beacon.local',
        balance: 185,
        lifetime: 185,
        ledger: 185,
        lots: 185,
        tier: 'Bronze',
        tier_changes: 1,
      },
    ]);
    // Each ledger row carries the running total, in the order the points were earned.
    const rows = await query<{ points: number; balance_after: number; expires_at: Date | null }>(
      `SELECT t.points::int AS points, t.balance_after::int AS balance_after, l.expires_at
         FROM point_transactions t JOIN point_lots l ON l.transaction_id = t.id
         JOIN customers c ON c.email = 'alice@demo.beacon.local'
         JOIN loyalty_accounts a ON a.id = t.account_id AND a.customer_id = c.id
        ORDER BY t.created_at`,
    );
    expect(rows.map((row) => row.balance_after)).toEqual([100, 340, 650, 725]);
    expect(rows.every((row) => row.expires_at !== null && row.expires_at > new Date())).toBe(true);
  });

  it('lets the demo customers and the owner sign in with the given password, as one id with their profile', async () => {
    const users = await query<{ email: string; role: string; password_hash: string; profile: boolean }>(
      `SELECT u.email, u.role, u.password_hash, EXISTS (SELECT 1 FROM customers c WHERE c.id = u.id) AS profile
         FROM users u ORDER BY u.email`,
    );
    expect(users.map(({ email, role, profile }) => ({ email, role, profile }))).toEqual([
      { email: 'alice@demo.beacon.local', role: 'customer', profile: true },
      { email: 'ben@demo.beacon.local', role: 'customer', profile: true },
      { email: 'owner@demo.beacon.local', role: 'owner', profile: false },
    ]);
    for (const user of users) expect(await verifyPassword(user.password_hash, password)).toBe(true);
  });

  it('places the locations with valid geofences: one radius, one polygon around its point', async () => {
    const locations = await query<{
      external_id: string;
      radius_m: number | null;
      kind: string | null;
      valid: boolean | null;
      covers_point: boolean | null;
    }>(
      `SELECT external_id, radius_m, GeometryType(geofence::geometry) AS kind, ST_IsValid(geofence::geometry) AS valid,
              ST_Covers(geofence, position) AS covers_point
         FROM locations WHERE deleted_at IS NULL ORDER BY external_id`,
    );
    expect(locations).toEqual([
      { external_id: 'demo-borough-market', radius_m: null, kind: 'POLYGON', valid: true, covers_point: true },
      { external_id: 'demo-shoreditch-roastery', radius_m: 75, kind: null, valid: null, covers_point: null },
    ]);
  });

  it('puts the rewards in the catalog, tied to existing tiers and locations', async () => {
    const rewards = await query<{ name: string; tier_ok: boolean; locations_ok: boolean }>(
      `SELECT r.name,
              r.min_tier_id IS NULL OR EXISTS (SELECT 1 FROM tiers t WHERE t.id = r.min_tier_id) AS tier_ok,
              (SELECT count(*) FROM unnest(r.location_ids) AS l(id) JOIN locations x ON x.id = l.id)
                = cardinality(r.location_ids) AS locations_ok
         FROM rewards r WHERE r.active AND r.deleted_at IS NULL ORDER BY r.point_cost`,
    );
    expect(rewards).toEqual(DEMO_REWARDS.map((reward) => ({ name: reward.name, tier_ok: true, locations_ok: true })));
  });

  it('schedules events past, running and upcoming, and challenges running now', async () => {
    const [events] = await query<{ past: number; running: number; upcoming: number }>(
      `SELECT count(*) FILTER (WHERE ends_at < now())::int AS past,
              count(*) FILTER (WHERE event_date <= now() AND ends_at > now())::int AS running,
              count(*) FILTER (WHERE event_date > now())::int AS upcoming
         FROM events WHERE status = 'scheduled'`,
    );
    expect(events).toEqual({ past: 1, running: 1, upcoming: 2 });
    const [challenges] = await query<{ running: number }>(
      `SELECT count(*)::int AS running FROM challenges WHERE active AND starts_at <= now() AND ends_at > now()`,
    );
    expect(challenges.running).toBe(DEMO_CHALLENGES.length);
  });

  const signIn = async (email: string): Promise<Record<string, string>> => {
    const res = await request(t.server).post('/api/auth/login').send({ email, password, tenant: 'demo' });
    expect(res.status).toBe(200);
    return { authorization: `Bearer ${res.body.access_token}` };
  };

  it('is usable through the API at once: balance, catalog, redemption, check-in and event attendance', async () => {
    const alice = await signIn('alice@demo.beacon.local');
    const balance = await request(t.server).get('/api/points/balance').set(alice);
    expect(balance.status).toBe(200);
    expect(balance.body).toMatchObject({ balance: 725, tier: { name: 'Silver' }, next_tier: { name: 'Gold' } });

    const catalog = await request(t.server).get('/api/rewards?limit=100').set(alice);
    expect(catalog.status).toBe(200);
    const offers = new Map<string, { id: string; eligible: boolean }>(
      catalog.body.data.map((reward: { id: string; name: string; eligible: boolean }) => [reward.name, reward]),
    );
    expect([...offers.keys()].sort()).toEqual(DEMO_REWARDS.map((reward) => reward.name).sort());
    expect(offers.get('Reusable Demo Coffee cup')?.eligible).toBe(true);
    expect(offers.get('Roastery tour for two')?.eligible).toBe(false);
    const redeemed = await request(t.server)
      .post(`/api/rewards/${offers.get('Reusable Demo Coffee cup')!.id}/redeem`)
      .set(alice)
      .send({});
    expect(redeemed.status).toBe(201);
    expect(redeemed.body).toMatchObject({ status: 'pending', points_used: 500, balance: 225 });

    // Inside the market stall's polygon: the check_in rule pays (its daily cap is one check-in's 10 beans).
    const checkin = await request(t.server).post('/api/checkin').set(alice).send({ lon: -0.0906, lat: 51.5055 });
    expect(checkin.status).toBe(201);
    expect(checkin.body).toMatchObject({
      verified: true,
      points_awarded: 10,
      location: { name: 'Demo Coffee stall, Borough Market' },
    });

    // The event under way: the owner shows its QR code, Alice scans it, the event_attendance rule pays.
    const owner = await signIn(DEMO_OWNER.email);
    const [running] = await query<{ id: string }>(
      `SELECT id FROM events WHERE event_date <= now() AND ends_at > now()`,
    );
    const qr = await request(t.server).get(`/api/admin/events/${running.id}/qr?format=json`).set(owner);
    expect(qr.status).toBe(200);
    const attended = await request(t.server)
      .post(`/api/events/${running.id}/attend`)
      .set(alice)
      .send({ code: qr.body.code });
    expect(attended.status).toBe(201);
    // 50 beans at Silver's 1.25 multiplier, and the badge it unlocks pays its own 20. The Silver
    // badge came with her first activity (the check-in), as badges do; it pays nothing.
    expect(attended.body).toMatchObject({ points_awarded: 62, balance: 225 + 10 + 62 + 20 });
    const badges = await query<{ name: string }>(
      `SELECT a.name FROM customer_achievements ca JOIN achievements a ON a.id = ca.achievement_id ORDER BY a.name`,
    );
    expect(badges.map((badge) => badge.name)).toEqual(['Community spirit', 'Silver status']);
  });

  it('adds nothing when run again', async () => {
    const before = await counts();
    const again = await seedDemo(dataSource, { password });
    expect(again.tenantId).toBe(first.tenantId);
    expect(Object.values(again.added).every((count) => count === 0)).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('adds back only what is missing', async () => {
    await query(`DELETE FROM challenges WHERE name = $1`, [DEMO_CHALLENGES[0].name]);
    const before = await counts();
    const again = await seedDemo(dataSource, { password });
    expect(again.added.challenges).toBe(1);
    expect(Object.values(again.added).reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(await counts()).toEqual({ ...before, challenges: before.challenges + 1 });
  });
});
