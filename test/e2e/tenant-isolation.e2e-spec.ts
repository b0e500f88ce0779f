import request from 'supertest';
import { DataSource } from 'typeorm';
import { grantAllows } from '../../src/common/auth/access.guard';
import { Actor } from '../../src/common/auth/actor';
import { API_KEY_SCOPE_NAMES } from '../../src/common/auth/scopes';
import { listRoutes, RouteEntry } from '../../src/common/http/route-table';
import { runInTenant } from '../../src/database/tenant-transaction';
import { startTestApp, TestApp } from '../support/test-app';
import { Account, authFixtures } from './auth-fixtures';

/**
 * Tenant isolation, route by route. Every route a tenant credential can reach is enumerated from
 * the application's own route table, so a route added later is covered without touching this
 * file — except that a route with a path parameter needs an entry in OBJECTS_OF_TENANT_A below
 * saying which of tenant A's objects to aim it at; the test fails until it has one.
 */

interface TenantAObjects {
  tenantId: string;
  ownerId: string;
  staffUserId: string;
  customerId: string;
  apiKeyId: string;
  programId: string;
  tierId: string;
  ruleId: string;
  eventId: string;
  locationId: string;
  rewardId: string;
  redemptionId: string;
  voucherCode: string;
  achievementId: string;
  challengeId: string;
  contentId: string;
}

/** Route (as in the route table) → the id of tenant A's object that the route's parameter takes. */
const OBJECTS_OF_TENANT_A: Record<string, (a: TenantAObjects) => string> = {
  '/api/admin/tenants/:id': (a) => a.tenantId,
  '/api/admin/tenants/:id/suspend': (a) => a.tenantId,
  '/api/admin/tenants/:id/activate': (a) => a.tenantId,
  '/api/admin/users/:id': (a) => a.staffUserId,
  '/api/admin/api-keys/:id': (a) => a.apiKeyId,
  '/api/admin/customers/:id': (a) => a.customerId,
  '/api/admin/customers/:id/adjust-points': (a) => a.customerId,
  '/api/admin/customers/:id/transactions': (a) => a.customerId,
  '/api/admin/customers/:id/export': (a) => a.customerId,
  '/api/customers/:external_id': () => 'ext-of-tenant-a',
  '/api/admin/programs/:id': (a) => a.programId,
  '/api/admin/programs/:id/tiers': (a) => a.programId,
  '/api/admin/tiers/:id': (a) => a.tierId,
  '/api/admin/rules/:id': (a) => a.ruleId,
  '/api/admin/rules/:id/stats': (a) => a.ruleId,
  '/api/admin/events/:id': (a) => a.eventId,
  '/api/admin/events/:id/qr': (a) => a.eventId,
  '/api/admin/events/:id/attendance': (a) => a.eventId,
  '/api/admin/events/:id/report': (a) => a.eventId,
  '/api/events/:id': (a) => a.eventId,
  '/api/events/:id/register': (a) => a.eventId,
  '/api/events/:id/attend': (a) => a.eventId,
  '/api/admin/locations/:id': (a) => a.locationId,
  '/api/admin/locations/:id/analytics': (a) => a.locationId,
  '/api/admin/rewards/:id': (a) => a.rewardId,
  '/api/rewards/:id': (a) => a.rewardId,
  '/api/rewards/:id/redeem': (a) => a.rewardId,
  '/api/admin/redemptions/:code/fulfil': (a) => a.voucherCode,
  '/api/admin/redemptions/:id/cancel': (a) => a.redemptionId,
  '/api/customers/external/:external_id': () => 'ext-of-tenant-a',
  '/api/customers/external/:externalId': () => 'ext-of-tenant-a',
  '/api/admin/achievements/:id': (a) => a.achievementId,
  '/api/admin/challenges/:id': (a) => a.challengeId,
  '/api/challenges/:id': (a) => a.challengeId,
  '/api/challenges/:id/join': (a) => a.challengeId,
  '/api/challenges/:id/leaderboard': (a) => a.challengeId,
  '/api/admin/content/:id': (a) => a.contentId,
  '/api/content/:id': (a) => a.contentId,
  // A period, not an object: each tenant's customers read their own tenant's board.
  '/api/leaderboards/:period': () => 'weekly',
};

/**
 * Routes whose parameter is a key in the caller's own namespace rather than an object id: an
 * upsert by external id creates tenant B's own customer. These may succeed, but must not reveal
 * or touch tenant A's customer of the same external id.
 */
const KEYED_BY_CALLER: ReadonlySet<string> = new Set([
  'PUT /api/customers/:external_id',
  'PUT /api/customers/external/:external_id',
  'GET /api/customers/external/:external_id',
  'GET /api/leaderboards/:period',
]);

/** Bodies that pass validation, so that a refusal is about the tenant and not about the input. */
const VALID_BODIES: Record<string, object> = {
  'PATCH /api/admin/users/:id': { first_name: 'Mallory' },
  'PATCH /api/admin/tenants/:id': { name: 'Taken over' },
  'PATCH /api/admin/customers/:id': { first_name: 'Mallory' },
  'POST /api/admin/customers/:id/adjust-points': { points: 1000, reason: 'isolation probe' },
  'PATCH /api/admin/programs/:id': { name: 'Taken over' },
  'POST /api/admin/programs/:id/tiers': { name: 'Stolen', threshold: 1, basis: 'lifetime' },
  'PATCH /api/admin/tiers/:id': { name: 'Taken over' },
  'PATCH /api/admin/rules/:id': { name: 'Taken over' },
  'PATCH /api/admin/events/:id': { name: 'Taken over' },
  'POST /api/admin/events/:id/attendance': {
    customer_id: '00000000-0000-4000-8000-000000000001',
    check_in_method: 'manual',
  },
  'POST /api/events/:id/attend': { code: 'ev1.not-this-tenants' },
  'PATCH /api/admin/locations/:id': { name: 'Taken over' },
  'PATCH /api/admin/rewards/:id': { name: 'Taken over' },
  'PUT /api/customers/external/:external_id': { first_name: 'Mallory' },
  'PUT /api/customers/:external_id': { first_name: 'Mallory' },
  'PATCH /api/admin/achievements/:id': { name: 'Taken over' },
  'PATCH /api/admin/challenges/:id': { name: 'Taken over' },
  'PATCH /api/admin/content/:id': { title: 'Taken over' },
};

describe('tenant isolation on every tenant-scoped route', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let fixtures: ReturnType<typeof authFixtures>;
  let a: TenantAObjects;
  let idsOfA: string[];
  let callers: Array<{ name: string; actor: Actor; headers: Record<string, string> }>;

  const TENANT_TABLES_SQL = `
    SELECT c.relname AS name FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
      JOIN pg_attribute att ON att.attrelid = c.oid AND att.attname = 'tenant_id' AND NOT att.attisdropped
     WHERE c.relkind = 'r' ORDER BY c.relname`;

  async function tenantTables(): Promise<string[]> {
    return ((await dataSource.query(TENANT_TABLES_SQL)) as Array<{ name: string }>).map((row) => row.name);
  }

  /** A fingerprint of everything tenant A owns, read under A's row-level security. */
  async function snapshotOfA(): Promise<Record<string, string>> {
    const snapshot: Record<string, string> = {};
    for (const table of await tenantTables()) {
      const [row] = await runInTenant(dataSource, a.tenantId, (m) =>
        m.query(
          `SELECT count(*)::int AS n, md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${table}" t`,
        ),
      );
      snapshot[table] = `${row.n}:${row.digest}`;
    }
    return snapshot;
  }

  async function signedIn(account: Account): Promise<string> {
    return (await fixtures.signIn(account)).access_token;
  }

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    fixtures = authFixtures(t);

    // Tenant A and one of everything it can own.
    const ownerA = await fixtures.account('owner');
    const staffA = await fixtures.account('staff', ownerA.tenant);
    const customerA = await fixtures.account('customer', ownerA.tenant);
    const tokenA = await signedIn(ownerA);
    const key = await request(t.server)
      .post('/api/admin/api-keys')
      .set('authorization', `Bearer ${tokenA}`)
      .send({ name: 'A server', scopes: [...API_KEY_SCOPE_NAMES] });
    expect(key.status).toBe(201);
    const seeded = await runInTenant(dataSource, ownerA.tenant.id, async (m) => {
      await m.query(
        `INSERT INTO customers (tenant_id, id, email, external_id) VALUES ($1, $2, $3, 'ext-of-tenant-a')`,
        [ownerA.tenant.id, customerA.userId, customerA.email],
      );
      const [program] = await m.query(
        `INSERT INTO programs (tenant_id, name, is_default) VALUES ($1, 'A', true) RETURNING id`,
        [ownerA.tenant.id],
      );
      const [tier] = await m.query(
        `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold) VALUES ($1, $2, 'Gold', 1, 100) RETURNING id`,
        [ownerA.tenant.id, program.id],
      );
      const [rule] = await m.query(
        `INSERT INTO rules (tenant_id, program_id, name, rule_type, effect) VALUES ($1, $2, 'A rule', 'purchase', '{"type":"fixed","points":5}') RETURNING id`,
        [ownerA.tenant.id, program.id],
      );
      const [event] = await m.query(
        `INSERT INTO events (tenant_id, name, event_type, event_date) VALUES ($1, 'A event', 'meetup', now()) RETURNING id`,
        [ownerA.tenant.id],
      );
      await m.query(`INSERT INTO event_registrations (tenant_id, event_id, customer_id) VALUES ($1, $2, $3)`, [
        ownerA.tenant.id,
        event.id,
        customerA.userId,
      ]);
      const [location] = await m.query(
        `INSERT INTO locations (tenant_id, name, position, radius_m)
         VALUES ($1, 'A store', ST_SetSRID(ST_MakePoint(-0.1243, 51.5117), 4326)::geography, 100) RETURNING id`,
        [ownerA.tenant.id],
      );
      // Gamification: a badge and an automatic community challenge that A's purchase below moves, and content.
      const [achievement] = await m.query(
        `INSERT INTO achievements (tenant_id, name, criteria)
         VALUES ($1, 'A badge', '{"type":"activity_count","activity_type":"purchase","count":1}') RETURNING id`,
        [ownerA.tenant.id],
      );
      const [challenge] = await m.query(
        `INSERT INTO challenges (tenant_id, name, kind, goal, starts_at, ends_at, join_mode)
         VALUES ($1, 'A challenge', 'community', '{"type":"activity_count","activity_type":"purchase","count":100}',
                 now() - interval '1 day', now() + interval '7 days', 'automatic') RETURNING id`,
        [ownerA.tenant.id],
      );
      const [content] = await m.query(
        `INSERT INTO content_items (tenant_id, title, body) VALUES ($1, 'A content', 'For A only') RETURNING id`,
        [ownerA.tenant.id],
      );
      return {
        programId: program.id,
        tierId: tier.id,
        ruleId: rule.id,
        eventId: event.id,
        locationId: location.id,
        achievementId: achievement.id,
        challengeId: challenge.id,
        contentId: content.id,
      };
    });
    const earn = await request(t.server)
      .post('/api/activities')
      .set('authorization', `Bearer ${key.body.secret}`)
      .send({ type: 'purchase', customer_id: customerA.userId, amount: 1000 });
    expect(earn.status).toBe(201);
    // A reward of A, bought with the points just earned: a redemption and its voucher.
    const reward = await request(t.server)
      .post('/api/admin/rewards')
      .set('authorization', `Bearer ${tokenA}`)
      .send({ name: 'A reward', point_cost: 5 });
    expect(reward.status).toBe(201);
    const redeemed = await request(t.server)
      .post(`/api/rewards/${reward.body.id}/redeem`)
      .set('authorization', `Bearer ${await signedIn(customerA)}`)
      .send({});
    expect(redeemed.status).toBe(201);
    a = {
      tenantId: ownerA.tenant.id,
      ownerId: ownerA.userId,
      staffUserId: staffA.userId,
      customerId: customerA.userId,
      apiKeyId: key.body.id,
      ...seeded,
      rewardId: reward.body.id,
      redemptionId: redeemed.body.redemption_id,
      voucherCode: redeemed.body.code,
    };

    idsOfA = [a.tenantId];
    for (const table of await tenantTables()) {
      const rows = (await runInTenant(dataSource, a.tenantId, (m) =>
        m.query(`SELECT to_jsonb(t) ->> 'id' AS id FROM "${table}" t`),
      )) as Array<{ id: string | null }>;
      idsOfA.push(...rows.map((row) => row.id).filter((id): id is string => !!id));
    }

    // Tenant B's credentials: its owner, one of its customers and an API key with every scope.
    const ownerB = await fixtures.account('owner');
    const customerB = await fixtures.account('customer', ownerB.tenant);
    await runInTenant(dataSource, ownerB.tenant.id, (m) =>
      m.query(`INSERT INTO customers (tenant_id, id, email) VALUES ($1, $2, $3)`, [
        ownerB.tenant.id,
        customerB.userId,
        customerB.email,
      ]),
    );
    const tokenB = await signedIn(ownerB);
    const keyB = await request(t.server)
      .post('/api/admin/api-keys')
      .set('authorization', `Bearer ${tokenB}`)
      .send({ name: 'B server', scopes: [...API_KEY_SCOPE_NAMES] });
    expect(keyB.status).toBe(201);
    callers = [
      {
        name: 'owner of B',
        actor: { kind: 'user', userId: ownerB.userId, tenantId: ownerB.tenant.id, role: 'owner' },
        headers: { authorization: `Bearer ${tokenB}` },
      },
      {
        name: 'customer of B',
        actor: { kind: 'user', userId: customerB.userId, tenantId: ownerB.tenant.id, role: 'customer' },
        headers: { authorization: `Bearer ${await signedIn(customerB)}` },
      },
      {
        name: 'API key of B',
        actor: { kind: 'api_key', keyId: keyB.body.id, tenantId: ownerB.tenant.id, scopes: [...API_KEY_SCOPE_NAMES] },
        headers: { 'x-api-key': keyB.body.secret },
      },
    ];
  });
  afterAll(async () => t?.close());

  /** Routes a tenant credential may reach: everything but public and super-admin-only routes. */
  const tenantRoutes = (): RouteEntry[] =>
    listRoutes(t.app).filter((route) =>
      route.access.some((grant) => grant.kind !== 'public' && grant.kind !== 'super_admin'),
    );

  it('knows which of tenant A’s objects to aim every parameterised route at', () => {
    const missing = tenantRoutes()
      .filter((route) => route.path.includes(':') && !OBJECTS_OF_TENANT_A[route.path])
      .map((route) => `${route.method} ${route.path}`);
    expect(missing).toEqual([]);
  });

  it('answers 403 or 404 to tenant B for tenant A’s objects, and changes nothing of A', async () => {
    const before = await snapshotOfA();
    const outcomes: string[] = [];
    for (const route of tenantRoutes().filter((entry) => entry.path.includes(':'))) {
      const objectOf = OBJECTS_OF_TENANT_A[route.path];
      if (!objectOf) continue;
      const path = route.path.replace(/:\w+/g, () => encodeURIComponent(objectOf(a)));
      for (const caller of callers) {
        const call = request(t.server)[route.method.toLowerCase() as 'get'](path);
        for (const [name, value] of Object.entries(caller.headers)) void call.set(name, value);
        const res = await call.send(VALID_BODIES[`${route.method} ${route.path}`] ?? {});
        const allowed = route.access.some((grant) => grantAllows(grant, caller.actor));
        const expected = !allowed
          ? [403]
          : KEYED_BY_CALLER.has(`${route.method} ${route.path}`)
            ? [200, 201, 404]
            : [404];
        if (!expected.includes(res.status) || idsOfA.some((id) => id !== objectOf(a) && res.text.includes(id))) {
          outcomes.push(`${route.method} ${route.path} as ${caller.name}: ${res.status} ${res.text.slice(0, 200)}`);
        }
      }
    }
    expect(outcomes).toEqual([]);
    expect(await snapshotOfA()).toEqual(before);
  });

  it('never shows tenant A’s objects in tenant B’s lists and reads', async () => {
    const leaks: string[] = [];
    for (const route of tenantRoutes().filter((entry) => entry.method === 'GET' && !entry.path.includes(':'))) {
      for (const caller of callers) {
        if (!route.access.some((grant) => grantAllows(grant, caller.actor))) continue;
        const call = request(t.server).get(route.path);
        for (const [name, value] of Object.entries(caller.headers)) void call.set(name, value);
        const res = await call;
        expect(res.status).toBeLessThan(500);
        const leaked = idsOfA.filter((id) => res.text.includes(id));
        if (leaked.length > 0) leaks.push(`GET ${route.path} as ${caller.name} shows ${leaked.join(', ')}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('returns no row of any tenant-owned table through the application connection without app.tenant_id', async () => {
    const tables = await tenantTables();
    expect(tables.length).toBeGreaterThan(10);
    for (const table of tables) {
      const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM "${table}"`);
      expect({ table, rows: row.n }).toEqual({ table, rows: 0 });
    }
  });
});
