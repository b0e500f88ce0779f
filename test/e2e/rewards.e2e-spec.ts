import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { rewardFixtures } from './rewards-fixtures';

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const NOWHERE = '00000000-0000-4000-8000-0000000000b9';

describe('rewards: catalog administration and the customer catalog', () => {
  let t: TestApp;
  let fx: ReturnType<typeof rewardFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = rewardFixtures(t);
  });
  afterAll(async () => t?.close());

  async function tenantWithAdmin() {
    const { tenant, programId } = await fx.tenantWithProgram();
    const admin = await fx.staffToken(tenant, 'admin');
    return { tenant, programId, admin };
  }

  async function tiers(tenantId: string, programId: string) {
    const [silver, gold] = await fx.inTenant<Array<{ id: string }>>(
      tenantId,
      `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold)
       VALUES ($1, $2, 'Silver', 1, 100), ($1, $2, 'Gold', 2, 1000) RETURNING id`,
      [tenantId, programId],
    );
    return { silver: silver.id, gold: gold.id };
  }

  const admin = (token: string) => ({
    list: (query = '') => request(t.server).get(`/api/admin/rewards${query}`).set(fx.bearer(token)),
    create: (body: object) => request(t.server).post('/api/admin/rewards').set(fx.bearer(token)).send(body),
    get: (id: string) => request(t.server).get(`/api/admin/rewards/${id}`).set(fx.bearer(token)),
    patch: (id: string, body: object) =>
      request(t.server).patch(`/api/admin/rewards/${id}`).set(fx.bearer(token)).send(body),
    remove: (id: string) => request(t.server).delete(`/api/admin/rewards/${id}`).set(fx.bearer(token)),
  });

  const catalog = (token: string, query = '') => request(t.server).get(`/api/rewards${query}`).set(fx.bearer(token));
  const entry = (token: string, id: string, query = '') =>
    request(t.server).get(`/api/rewards/${id}${query}`).set(fx.bearer(token));

  const auditOf = (tenantId: string) =>
    fx.inTenant<Array<{ action: string; target_id: string; before: unknown; after: Record<string, unknown> | null }>>(
      tenantId,
      `SELECT action, target_id, before, after FROM audit_log WHERE target_type = 'reward' ORDER BY occurred_at`,
    );

  describe('admin CRUD', () => {
    it('creates a reward with every term, reads it back, lists it and audits the creation', async () => {
      const { tenant, programId, admin: token } = await tenantWithAdmin();
      const { gold } = await tiers(tenant.id, programId);
      const shop = await fx.location(tenant.id);
      const body = {
        name: '  Free coffee ',
        description: 'Any size.',
        category: 'drinks',
        image_url: 'https://cdn.example.com/coffee.png',
        point_cost: 500,
        quantity_available: 50,
        start_date: '2025-01-01T00:00:00.000Z',
        end_date: '2099-01-01T00:00:00.000Z',
        min_tier_id: gold,
        per_customer_limit: 2,
        location_ids: [shop],
        voucher_valid_days: 30,
        active: true,
      };
      const created = await admin(token).create(body);
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        ...body,
        name: 'Free coffee',
        id: expect.any(String),
        program_id: programId,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const read = await admin(token).get(created.body.id);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
      const listed = await admin(token).list();
      expect(listed.body).toEqual({ data: [created.body], next_cursor: null });
      expect(await auditOf(tenant.id)).toEqual([
        { action: 'reward.created', target_id: created.body.id, before: null, after: created.body },
      ]);
    });

    it('defaults to an active reward with unlimited stock, anywhere, for everyone, whose vouchers never expire', async () => {
      const { admin: token } = await tenantWithAdmin();
      const res = await admin(token).create({ name: 'Sticker', point_cost: 10 });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        description: '',
        category: null,
        image_url: null,
        quantity_available: null,
        start_date: null,
        end_date: null,
        min_tier_id: null,
        per_customer_limit: null,
        location_ids: [],
        voucher_valid_days: null,
        active: true,
      });
    });

    it('pages the list newest first and filters it by active and category', async () => {
      const { admin: token } = await tenantWithAdmin();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await fx.reward(token, { category: i % 2 ? 'food' : 'drinks', active: i !== 4 }));
      }
      const first = await admin(token).list('?limit=2');
      expect(first.body.data.map((r: { id: string }) => r.id)).toEqual([ids[4], ids[3]]);
      const second = await admin(token).list(`?limit=2&cursor=${first.body.next_cursor}`);
      const third = await admin(token).list(`?limit=2&cursor=${second.body.next_cursor}`);
      expect([...second.body.data, ...third.body.data].map((r: { id: string }) => r.id)).toEqual([
        ids[2],
        ids[1],
        ids[0],
      ]);
      expect(third.body.next_cursor).toBeNull();
      const drinks = await admin(token).list('?category=drinks&active=true');
      expect(drinks.body.data.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[0]]);
      expect((await admin(token).list('?active=maybe')).status).toBe(400);
    });

    it('changes only the fields given, clears nullable ones with null, and audits before and after', async () => {
      const { tenant, admin: token } = await tenantWithAdmin();
      const id = await fx.reward(token, { name: 'Mug', point_cost: 300, quantity_available: 5, category: 'merch' });
      const res = await admin(token).patch(id, { point_cost: 250, quantity_available: null, category: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Mug', point_cost: 250, quantity_available: null, category: null });
      const [, updated] = await auditOf(tenant.id);
      expect(updated).toMatchObject({
        action: 'reward.updated',
        target_id: id,
        before: expect.objectContaining({ point_cost: 300, quantity_available: 5, category: 'merch' }),
        after: expect.objectContaining({ point_cost: 250, quantity_available: null, category: null }),
      });
    });

    it('deletes a reward: gone from the admin API and the catalog, audited', async () => {
      const { tenant, admin: token } = await tenantWithAdmin();
      const id = await fx.reward(token);
      const [customer] = await fx.shoppers(tenant, 1);
      expect((await admin(token).remove(id)).status).toBe(204);
      expect((await admin(token).get(id)).status).toBe(404);
      expect((await admin(token).patch(id, { name: 'Back' })).status).toBe(404);
      expect((await admin(token).remove(id)).status).toBe(404);
      expect((await admin(token).list()).body.data).toEqual([]);
      expect((await catalog(customer.token)).body.data).toEqual([]);
      expect((await entry(customer.token, id)).status).toBe(404);
      expect((await auditOf(tenant.id)).map((row) => row.action)).toEqual(['reward.created', 'reward.deleted']);
    });

    it('refuses bad input with a 400 naming each field, and creates or changes nothing', async () => {
      const { tenant, programId, admin: token } = await tenantWithAdmin();
      const other = await fx.tenantWithProgram();
      const [foreignTier] = await fx.inTenant<Array<{ id: string }>>(
        other.tenant.id,
        `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold) VALUES ($1, $2, 'Gold', 1, 10) RETURNING id`,
        [other.tenant.id, other.programId],
      );
      const shop = await fx.location(tenant.id);
      const foreignShop = await fx.location(other.tenant.id);
      const deletedShop = await fx.location(tenant.id, 'Closed');
      await fx.inTenant(tenant.id, `UPDATE locations SET deleted_at = now() WHERE id = $1`, [deletedShop]);
      const cases: Array<[object, string]> = [
        [{ point_cost: 100 }, 'name'],
        [{ name: '   ', point_cost: 100 }, 'name'],
        [{ name: 'X' }, 'point_cost'],
        [{ name: 'X', point_cost: 0 }, 'point_cost'],
        [{ name: 'X', point_cost: 1.5 }, 'point_cost'],
        [{ name: 'X', point_cost: 10, quantity_available: -1 }, 'quantity_available'],
        [{ name: 'X', point_cost: 10, image_url: 'javascript:alert(1)' }, 'image_url'],
        [{ name: 'X', point_cost: 10, start_date: 'tomorrow' }, 'start_date'],
        [{ name: 'X', point_cost: 10, start_date: inDays(2), end_date: inDays(1) }, 'end_date'],
        [{ name: 'X', point_cost: 10, min_tier_id: foreignTier.id }, 'min_tier_id'],
        [{ name: 'X', point_cost: 10, min_tier_id: 'gold' }, 'min_tier_id'],
        [{ name: 'X', point_cost: 10, per_customer_limit: 0 }, 'per_customer_limit'],
        [{ name: 'X', point_cost: 10, location_ids: ['not-a-uuid'] }, 'location_ids'],
        [{ name: 'X', point_cost: 10, location_ids: [shop, shop] }, 'location_ids'],
        [{ name: 'X', point_cost: 10, location_ids: [shop, NOWHERE] }, 'location_ids[1]'],
        [{ name: 'X', point_cost: 10, location_ids: [foreignShop] }, 'location_ids[0]'],
        [{ name: 'X', point_cost: 10, location_ids: [deletedShop] }, 'location_ids[0]'],
        [{ name: 'X', point_cost: 10, voucher_valid_days: 0 }, 'voucher_valid_days'],
        [{ name: 'X', point_cost: 10, active: 'yes' }, 'active'],
        [{ name: 'X', point_cost: 10, stock: 5 }, 'stock'],
      ];
      for (const [body, field] of cases) {
        const res = await admin(token).create(body);
        expect({ body, status: res.status, code: res.body.code }).toEqual({
          body,
          status: 400,
          code: 'validation_failed',
        });
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      const id = await fx.reward(token, { name: 'Kept', start_date: inDays(1) });
      const before = (await admin(token).get(id)).body;
      for (const [body, field] of [
        [{ end_date: inDays(0.5) }, 'end_date'],
        [{ point_cost: null }, 'point_cost'],
        [{ name: null }, 'name'],
        [{ min_tier_id: foreignTier.id }, 'min_tier_id'],
      ] as Array<[object, string]>) {
        const res = await admin(token).patch(id, body);
        expect(res.status).toBe(400);
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      expect((await admin(token).get(id)).body).toEqual(before);
      expect((await admin(token).list()).body.data).toHaveLength(1);
      expect(await auditOf(tenant.id)).toHaveLength(1);
      expect(programId).toBeDefined();
    });

    it('is for admins: staff and customers are refused, another tenant’s reward is a 404', async () => {
      const { tenant, admin: token } = await tenantWithAdmin();
      const id = await fx.reward(token);
      const staff = await fx.staffToken(tenant, 'staff');
      const [customer] = await fx.shoppers(tenant, 1);
      for (const who of [staff, customer.token]) {
        expect((await admin(who).list()).status).toBe(403);
        expect((await admin(who).create({ name: 'X', point_cost: 1 })).status).toBe(403);
        expect((await admin(who).patch(id, { name: 'X' })).status).toBe(403);
      }
      const stranger = (await tenantWithAdmin()).admin;
      expect((await admin(stranger).get(id)).status).toBe(404);
      expect((await admin(stranger).patch(id, { name: 'Stolen' })).status).toBe(404);
      expect((await admin(stranger).remove(id)).status).toBe(404);
      expect((await admin(token).get(id)).body.name).not.toBe('Stolen');
    });

    it('refuses a reward in a tenant without a default program (422 no_default_program)', async () => {
      const tenant = await fx.make.tenant();
      const token = await fx.staffToken(tenant, 'admin');
      const res = await admin(token).create({ name: 'X', point_cost: 1 });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('no_default_program');
    });
  });

  describe('customer catalog', () => {
    it('lists active rewards that have not ended, cheapest first, each eligible or with the reason why not', async () => {
      const { tenant, programId, admin: token } = await tenantWithAdmin();
      const { silver, gold } = await tiers(tenant.id, programId);
      const [customer] = await fx.shoppers(tenant, 1);
      const [shop, otherShop] = [await fx.location(tenant.id), await fx.location(tenant.id, 'Other')];
      await fx.givePoints(tenant.id, programId, customer.id, [{ points: 1000 }]);
      await fx.inTenant(tenant.id, `UPDATE loyalty_accounts SET tier_id = $1 WHERE customer_id = $2`, [
        silver,
        customer.id,
      ]);
      const ids = {
        open: await fx.reward(token, { name: 'Open', point_cost: 100 }),
        silverOnly: await fx.reward(token, { name: 'Silver', point_cost: 200, min_tier_id: silver }),
        goldOnly: await fx.reward(token, { name: 'Gold', point_cost: 300, min_tier_id: gold }),
        upcoming: await fx.reward(token, { name: 'Soon', point_cost: 400, start_date: inDays(3) }),
        soldOut: await fx.reward(token, { name: 'Gone', point_cost: 500, quantity_available: 0 }),
        shopOnly: await fx.reward(token, { name: 'Shop', point_cost: 600, location_ids: [shop] }),
        tooDear: await fx.reward(token, { name: 'Dear', point_cost: 5000 }),
        inactive: await fx.reward(token, { name: 'Off', point_cost: 150, active: false }),
        ended: await fx.reward(token, { name: 'Ended', point_cost: 160 }),
      };
      await fx.inTenant(tenant.id, `UPDATE rewards SET end_date = now() - interval '1 hour' WHERE id = $1`, [
        ids.ended,
      ]);

      const res = await catalog(customer.token);
      expect(res.status).toBe(200);
      expect(res.body.next_cursor).toBeNull();
      expect(
        res.body.data.map((r: { name: string; eligible: boolean; reason: string | null }) => [
          r.name,
          r.eligible,
          r.reason,
        ]),
      ).toEqual([
        ['Open', true, null],
        ['Silver', true, null],
        ['Gold', false, 'tier_required'],
        ['Soon', false, 'not_yet_available'],
        ['Gone', false, 'out_of_stock'],
        ['Shop', true, null],
        ['Dear', false, 'insufficient_points'],
      ]);
      expect(res.body.data[0]).not.toHaveProperty('program_id');

      const elsewhere = await catalog(customer.token, `?location_id=${otherShop}`);
      expect(elsewhere.body.data.find((r: { name: string }) => r.name === 'Shop')).toMatchObject({
        eligible: false,
        reason: 'location_restricted',
      });
      const atShop = await catalog(customer.token, `?location_id=${shop}`);
      expect(atShop.body.data.find((r: { name: string }) => r.name === 'Shop')).toMatchObject({ eligible: true });

      // One reward by id shows its state whatever it is.
      expect((await entry(customer.token, ids.inactive)).body).toMatchObject({ eligible: false, reason: 'inactive' });
      expect((await entry(customer.token, ids.ended)).body).toMatchObject({ eligible: false, reason: 'expired' });
      expect((await entry(customer.token, ids.goldOnly)).body).toMatchObject({ reason: 'tier_required' });
      expect((await entry(customer.token, ids.shopOnly, `?location_id=${otherShop}`)).body).toMatchObject({
        reason: 'location_restricted',
      });
      expect((await entry(customer.token, ids.open)).body).toMatchObject({
        id: ids.open,
        eligible: true,
        reason: null,
      });
    });

    it('says limit_reached once the customer has redeemed a limited reward as often as allowed', async () => {
      const { tenant, programId, admin: token } = await tenantWithAdmin();
      const [customer] = await fx.shoppers(tenant, 1);
      await fx.givePoints(tenant.id, programId, customer.id, [{ points: 1000 }]);
      const id = await fx.reward(token, { point_cost: 100, per_customer_limit: 1 });
      expect((await entry(customer.token, id)).body.eligible).toBe(true);
      expect((await fx.redeem(customer.token, id)).status).toBe(201);
      expect((await entry(customer.token, id)).body).toMatchObject({ eligible: false, reason: 'limit_reached' });
      expect((await catalog(customer.token)).body.data[0]).toMatchObject({ reason: 'limit_reached' });
    });

    it('pages cheapest first and filters by category', async () => {
      const { tenant, admin: token } = await tenantWithAdmin();
      const [customer] = await fx.shoppers(tenant, 1);
      for (const [cost, category] of [
        [300, 'food'],
        [100, 'drinks'],
        [200, 'drinks'],
        [100, 'food'],
      ] as const) {
        await fx.reward(token, { point_cost: cost, category });
      }
      const first = await catalog(customer.token, '?limit=3');
      expect(first.body.data.map((r: { point_cost: number }) => r.point_cost)).toEqual([100, 100, 200]);
      const rest = await catalog(customer.token, `?limit=3&cursor=${first.body.next_cursor}`);
      expect(rest.body).toMatchObject({ data: [{ point_cost: 300 }], next_cursor: null });
      const drinks = await catalog(customer.token, '?category=drinks');
      expect(drinks.body.data.map((r: { point_cost: number }) => r.point_cost)).toEqual([100, 200]);
      expect((await catalog(customer.token, '?location_id=nowhere')).status).toBe(400);
    });

    it('is for customers of the tenant: staff are refused, another tenant’s reward is a 404', async () => {
      const { tenant, admin: token } = await tenantWithAdmin();
      const id = await fx.reward(token);
      expect((await catalog(token)).status).toBe(403);
      const other = await fx.tenantWithProgram();
      const [stranger] = await fx.shoppers(other.tenant, 1);
      expect((await entry(stranger.token, id)).status).toBe(404);
      expect((await catalog(stranger.token)).body.data).toEqual([]);
      expect((await entry(stranger.token, 'not-an-id')).status).toBe(404);
      expect(tenant.id).not.toBe(other.tenant.id);
    });
  });
});
