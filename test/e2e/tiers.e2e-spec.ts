import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant } from '../../src/database/tenant-transaction';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { authFixtures } from './auth-fixtures';

describe('tiers admin API', () => {
  let t: TestApp;
  let fixtures: ReturnType<typeof authFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fixtures = authFixtures(t);
  });
  afterAll(async () => t?.close());

  interface Admin {
    tenant: TenantEntity;
    programId: string;
    call(method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object): request.Test;
    tier(body: object): Promise<request.Response>;
    sql<T = Array<Record<string, unknown>>>(query: string, parameters?: unknown[]): Promise<T>;
  }

  /** An admin of a fresh tenant with a default program made through the API. */
  async function admin(): Promise<Admin> {
    const account = await fixtures.account('admin');
    const { access_token: token } = await fixtures.signIn(account);
    const call: Admin['call'] = (method, path, body) => {
      const pending = request(t.server)[method](path).set('authorization', `Bearer ${token}`);
      return body === undefined ? pending : pending.send(body);
    };
    const program = await call('post', '/api/admin/programs', { name: 'Main' });
    expect(program.status).toBe(201);
    return {
      tenant: account.tenant,
      programId: program.body.id,
      call,
      tier: (body) => call('post', `/api/admin/programs/${program.body.id}/tiers`, body),
      sql: (query, parameters = []) =>
        runInTenant(t.app.get(DataSource), account.tenant.id, (m) => m.query(query, parameters)),
    };
  }

  const ladder = (a: Admin) =>
    a.sql<Array<{ name: string; rank: number; threshold: number }>>(
      `SELECT name, rank, threshold::int AS threshold FROM tiers ORDER BY rank`,
    );
  const audit = (a: Admin) =>
    a.sql<Array<{ action: string; target_id: string; before: object | null; after: object | null }>>(
      `SELECT action, target_id, before, after FROM audit_log WHERE target_type = 'tier' ORDER BY occurred_at, id`,
    );
  const fields = (res: request.Response) => (res.body.errors ?? []).map((error: { field: string }) => error.field);

  it('builds a ladder: ranks default to the next one, benefits keep free-form perks, listed by rank', async () => {
    const a = await admin();
    const bronze = await a.tier({ name: 'Bronze', threshold: 0, basis: 'lifetime' });
    expect(bronze.status).toBe(201);
    expect(bronze.body).toEqual({
      id: expect.any(String),
      program_id: a.programId,
      name: 'Bronze',
      rank: 0,
      threshold: 0,
      basis: 'lifetime',
      window_days: null,
      benefits: { earn_multiplier: 1 },
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const gold = await a.tier({
      name: 'Gold',
      threshold: 5000,
      basis: 'qualifying',
      window_days: 365,
      rank: 5,
      benefits: { earn_multiplier: 2, free_shipping: true, lounge: '2 visits a year', birthday_bonus: 250 },
    });
    expect(gold.status).toBe(201);
    expect(gold.body.benefits).toEqual({
      earn_multiplier: 2,
      free_shipping: true,
      lounge: '2 visits a year',
      birthday_bonus: 250,
    });
    const silver = await a.tier({ name: 'Silver', threshold: 1000, basis: 'lifetime', rank: 2 });
    expect(silver.body.rank).toBe(2);
    const platinum = await a.tier({ name: 'Platinum', threshold: 20000, basis: 'lifetime' });
    expect(platinum.body.rank).toBe(6);

    const list = await a.call('get', `/api/admin/programs/${a.programId}/tiers`);
    expect(list.status).toBe(200);
    expect(list.body.next_cursor).toBeNull();
    expect(list.body.data.map((tier: { name: string; rank: number }) => [tier.name, tier.rank])).toEqual([
      ['Bronze', 0],
      ['Silver', 2],
      ['Gold', 5],
      ['Platinum', 6],
    ]);
    expect(list.body.data[2]).toEqual(gold.body);
    expect((await audit(a)).map((entry) => [entry.action, entry.target_id])).toEqual([
      ['tier.created', bronze.body.id],
      ['tier.created', gold.body.id],
      ['tier.created', silver.body.id],
      ['tier.created', platinum.body.id],
    ]);
  });

  it.each([
    ['a qualifying tier without a window', { name: 'G', threshold: 1, basis: 'qualifying' }, 'window_days'],
    ['a lifetime tier with a window', { name: 'G', threshold: 1, basis: 'lifetime', window_days: 30 }, 'window_days'],
    ['a window of 0 days', { name: 'G', threshold: 1, basis: 'qualifying', window_days: 0 }, 'window_days'],
    ['a window over ten years', { name: 'G', threshold: 1, basis: 'qualifying', window_days: 3651 }, 'window_days'],
    ['a negative threshold', { name: 'G', threshold: -1, basis: 'lifetime' }, 'threshold'],
    ['a fractional threshold', { name: 'G', threshold: 1.5, basis: 'lifetime' }, 'threshold'],
    ['no threshold', { name: 'G', basis: 'lifetime' }, 'threshold'],
    ['an unknown basis', { name: 'G', threshold: 1, basis: 'yearly' }, 'basis'],
    ['a blank name', { name: '  ', threshold: 1, basis: 'lifetime' }, 'name'],
    ['a negative rank', { name: 'G', threshold: 1, basis: 'lifetime', rank: -1 }, 'rank'],
    [
      'a multiplier above 10',
      { name: 'G', threshold: 1, basis: 'lifetime', benefits: { earn_multiplier: 11 } },
      'benefits.earn_multiplier',
    ],
    [
      'a multiplier below 1',
      { name: 'G', threshold: 1, basis: 'lifetime', benefits: { earn_multiplier: 0.5 } },
      'benefits.earn_multiplier',
    ],
    ['a nested perk', { name: 'G', threshold: 1, basis: 'lifetime', benefits: { perks: { a: 1 } } }, 'benefits.perks'],
    ['benefits that are not an object', { name: 'G', threshold: 1, basis: 'lifetime', benefits: [1] }, 'benefits'],
    ['an unknown field', { name: 'G', threshold: 1, basis: 'lifetime', colour: 'gold' }, 'colour'],
  ])('refuses %s with a 400 naming the field and writes nothing', async (_case, body, field) => {
    const a = await admin();
    const res = await a.tier(body);
    expect(res.status).toBe(400);
    expect(fields(res)).toContain(field);
    expect(await ladder(a)).toEqual([]);
    expect(await audit(a)).toEqual([]);
  });

  it('refuses a duplicate name (in any case) or rank in the program with 409, but allows them in another program', async () => {
    const a = await admin();
    await a.tier({ name: 'Gold', threshold: 1000, basis: 'lifetime', rank: 1 });
    const sameName = await a.tier({ name: 'GOLD', threshold: 2000, basis: 'lifetime' });
    expect(sameName.status).toBe(409);
    expect(sameName.body.code).toBe('tier_name_taken');
    const sameRank = await a.tier({ name: 'Silver', threshold: 500, basis: 'lifetime', rank: 1 });
    expect(sameRank.status).toBe(409);
    expect(sameRank.body.code).toBe('tier_rank_taken');
    expect(await ladder(a)).toEqual([{ name: 'Gold', rank: 1, threshold: 1000 }]);

    const other = (await a.call('post', '/api/admin/programs', { name: 'Other' })).body;
    const elsewhere = await a.call('post', `/api/admin/programs/${other.id}/tiers`, {
      name: 'Gold',
      threshold: 1,
      basis: 'lifetime',
      rank: 1,
    });
    expect(elsewhere.status).toBe(201);
  });

  it('keeps the ladder sane: a higher rank may not need fewer points on the same basis (400 with the reason)', async () => {
    const a = await admin();
    await a.tier({ name: 'Silver', threshold: 1000, basis: 'lifetime' });
    const cheaperGold = await a.tier({ name: 'Gold', threshold: 500, basis: 'lifetime' });
    expect(cheaperGold.status).toBe(400);
    expect(cheaperGold.body.errors).toEqual([
      {
        field: 'threshold',
        message:
          'a higher tier must not be easier to reach: Gold (rank 1) would need 500 lifetime points, less than ' +
          'Silver (rank 0) below it (1000 lifetime points)',
      },
    ]);
    const dearerBronzeBelow = await a.tier({ name: 'Bronze', threshold: 1500, basis: 'lifetime', rank: 0 });
    expect(dearerBronzeBelow.status).toBe(409); // rank 0 is Silver's

    // On another basis the thresholds are not comparable: 500 points in 90 days is a different demand.
    const qualifying = await a.tier({ name: 'Gold', threshold: 500, basis: 'qualifying', window_days: 90 });
    expect(qualifying.status).toBe(201);
    const gold = qualifying.body;

    // A change that would break the ladder is refused too, naming the field that changed.
    const lowered = await a.call('patch', `/api/admin/tiers/${gold.id}`, { basis: 'lifetime' });
    expect(lowered.status).toBe(400);
    expect(fields(lowered)).toEqual(['basis']);
    const [silver] = (await a.sql<Array<{ id: string }>>(`SELECT id FROM tiers WHERE name = 'Silver'`)) as Array<{
      id: string;
    }>;
    await a.tier({ name: 'Platinum', threshold: 2000, basis: 'lifetime', rank: 10 });
    const leapfrog = await a.call('patch', `/api/admin/tiers/${silver.id}`, { rank: 11 });
    expect(leapfrog.status).toBe(400);
    expect(fields(leapfrog)).toEqual(['rank']);
    expect(await ladder(a)).toEqual([
      { name: 'Silver', rank: 0, threshold: 1000 },
      { name: 'Gold', rank: 1, threshold: 500 },
      { name: 'Platinum', rank: 10, threshold: 2000 },
    ]);
  });

  it('updates a tier: switching to lifetime drops the window, benefits merge and null removes a perk; audited', async () => {
    const a = await admin();
    const tier = (
      await a.tier({
        name: 'Gold',
        threshold: 1000,
        basis: 'qualifying',
        window_days: 365,
        benefits: { earn_multiplier: 1.5, free_shipping: true, lounge: 'yes' },
      })
    ).body;
    const res = await a.call('patch', `/api/admin/tiers/${tier.id}`, {
      name: 'Gold+',
      basis: 'lifetime',
      threshold: 1200,
      benefits: { earn_multiplier: 2, lounge: null, birthday_bonus: 100 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Gold+',
      basis: 'lifetime',
      window_days: null,
      threshold: 1200,
      benefits: { earn_multiplier: 2, free_shipping: true, birthday_bonus: 100 },
    });
    const back = await a.call('patch', `/api/admin/tiers/${tier.id}`, { basis: 'qualifying' });
    expect(back.status).toBe(400);
    expect(fields(back)).toEqual(['window_days']);
    const withWindow = await a.call('patch', `/api/admin/tiers/${tier.id}`, { basis: 'qualifying', window_days: 180 });
    expect(withWindow.body).toMatchObject({ basis: 'qualifying', window_days: 180 });

    const updates = (await audit(a)).filter((entry) => entry.action === 'tier.updated');
    expect(updates).toHaveLength(2);
    expect(updates[0].before).toMatchObject({ name: 'Gold', window_days: 365, benefits: { lounge: 'yes' } });
    expect(updates[0].after).toMatchObject({ name: 'Gold+', window_days: null });
  });

  it.each([
    ['a null name', { name: null }, 'name'],
    ['a null threshold', { threshold: null }, 'threshold'],
    ['a window on a lifetime tier', { window_days: 30 }, 'window_days'],
    ['a multiplier above 10', { benefits: { earn_multiplier: 12 } }, 'benefits.earn_multiplier'],
    ['a program move', { program_id: '00000000-0000-4000-8000-000000000000' }, 'program_id'],
  ])('refuses an update with %s and changes nothing', async (_case, body, field) => {
    const a = await admin();
    const tier = (await a.tier({ name: 'Gold', threshold: 1000, basis: 'lifetime' })).body;
    const res = await a.call('patch', `/api/admin/tiers/${tier.id}`, body);
    expect(res.status).toBe(400);
    expect(fields(res)).toContain(field);
    expect((await a.call('get', `/api/admin/programs/${a.programId}/tiers`)).body.data).toEqual([tier]);
  });

  it('deletes a tier nobody holds, audited', async () => {
    const a = await admin();
    const tier = (await a.tier({ name: 'Gold', threshold: 1000, basis: 'lifetime' })).body;
    const res = await a.call('delete', `/api/admin/tiers/${tier.id}`);
    expect(res.status).toBe(204);
    expect(await ladder(a)).toEqual([]);
    expect((await audit(a)).map((entry) => [entry.action, entry.target_id])).toEqual([
      ['tier.created', tier.id],
      ['tier.deleted', tier.id],
    ]);
    expect((await a.call('delete', `/api/admin/tiers/${tier.id}`)).status).toBe(404);
  });

  it('never leaves an account in a tier deleted while customers earn their way into it', async () => {
    for (let round = 0; round < 6; round++) {
      const a = await admin();
      const silver = (await a.tier({ name: 'Silver', threshold: 10, basis: 'lifetime' })).body;
      await a.call('post', '/api/admin/rules', {
        name: 'Earn',
        rule_type: 'purchase',
        effect: { type: 'fixed', points: 10 },
      });
      const customers = await a.sql<Array<{ id: string }>>(
        `INSERT INTO customers (tenant_id) SELECT $1 FROM generate_series(1, 6) RETURNING id`,
        [a.tenant.id],
      );
      const [deleted, ...earned] = await Promise.all([
        a.call('delete', `/api/admin/tiers/${silver.id}`),
        ...customers.map((customer) =>
          a.call('post', '/api/activities', { type: 'purchase', customer_id: customer.id, amount: 1 }),
        ),
      ]);
      expect(earned.map((res) => res.status)).toEqual(customers.map(() => 201));
      const [{ holders, moves, tiers }] = await a.sql<Array<{ holders: number; moves: number; tiers: number }>>(
        `SELECT (SELECT count(*)::int FROM loyalty_accounts WHERE tier_id = $1) AS holders,
                (SELECT count(*)::int FROM tier_changes WHERE to_tier_id = $1) AS moves,
                (SELECT count(*)::int FROM tiers WHERE id = $1) AS tiers`,
        [silver.id],
      );
      const told = earned.filter((res) => res.body.tier?.id === silver.id).length;
      if (deleted.status === 204) {
        // Deleted first: the earns that waited for it found no Silver to move into.
        expect({ holders, moves, tiers, told }).toEqual({ holders: 0, moves: 0, tiers: 0, told: 0 });
      } else {
        // Someone earned first: the delete counted them and refused (others may have moved in since).
        expect(deleted.status).toBe(409);
        expect(deleted.body.code).toBe('tier_in_use');
        expect(deleted.body.accounts).toBeGreaterThanOrEqual(1);
        expect(deleted.body.accounts).toBeLessThanOrEqual(holders);
        expect({ tiers, moves: holders, told: holders }).toEqual({ tiers: 1, moves, told });
      }
    }
  });

  it('refuses to delete a tier that customers hold or a rule names (409 tier_in_use) and keeps it', async () => {
    const a = await admin();
    const bronze = (await a.tier({ name: 'Bronze', threshold: 0, basis: 'lifetime' })).body;
    const gold = (await a.tier({ name: 'Gold', threshold: 1000, basis: 'lifetime' })).body;
    const [customer] = await a.sql<Array<{ id: string }>>(
      `INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`,
      [a.tenant.id],
    );
    await a.call('post', '/api/admin/rules', {
      name: 'Earn',
      rule_type: 'purchase',
      effect: { type: 'fixed', points: 10 },
    });
    const earned = await a.call('post', '/api/activities', { type: 'purchase', customer_id: customer.id, amount: 100 });
    expect(earned.body.tier).toEqual({ id: bronze.id, name: 'Bronze' });

    const held = await a.call('delete', `/api/admin/tiers/${bronze.id}`);
    expect(held.status).toBe(409);
    expect(held.body).toMatchObject({ code: 'tier_in_use', accounts: 1, rule_ids: [] });

    const rule = await a.call('post', '/api/admin/rules', {
      name: 'Gold bonus',
      rule_type: 'purchase',
      conditions: { tier_ids: [gold.id] },
      effect: { type: 'bonus', points: 50 },
    });
    expect(rule.status).toBe(201);
    const named = await a.call('delete', `/api/admin/tiers/${gold.id}`);
    expect(named.status).toBe(409);
    expect(named.body).toMatchObject({ code: 'tier_in_use', accounts: 0, rule_ids: [rule.body.id] });

    expect((await ladder(a)).map((tier) => tier.name)).toEqual(['Bronze', 'Gold']);
    expect((await audit(a)).filter((entry) => entry.action === 'tier.deleted')).toEqual([]);
  });

  it('earns with the tier’s multiplier once the customer holds it', async () => {
    const a = await admin();
    await a.tier({ name: 'Member', threshold: 0, basis: 'lifetime', benefits: { earn_multiplier: 1.5 } });
    await a.call('post', '/api/admin/rules', {
      name: '1 per £1',
      rule_type: 'purchase',
      effect: { type: 'points_per_unit', points: 1, per: 100 },
    });
    const [customer] = await a.sql<Array<{ id: string }>>(
      `INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`,
      [a.tenant.id],
    );
    const earn = () => a.call('post', '/api/activities', { type: 'purchase', customer_id: customer.id, amount: 1000 });
    expect((await earn()).body.points_awarded).toBe(10); // no tier yet when the rule is evaluated
    expect((await earn()).body.points_awarded).toBe(15);
  });

  it('refuses more than 50 tiers in a program with 422', async () => {
    const a = await admin();
    await a.sql(
      `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold)
       SELECT $1, $2, 'T' || n, n, n FROM generate_series(0, 49) AS n`,
      [a.tenant.id, a.programId],
    );
    const res = await a.tier({ name: 'One more', threshold: 100, basis: 'lifetime' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('tier_limit_reached');
  });

  it('answers 404 for unknown ids, non-UUIDs and other tenants’ programs and tiers, which it never lists', async () => {
    const a = await admin();
    const b = await admin();
    const tierOfB = (await b.tier({ name: 'B gold', threshold: 10, basis: 'lifetime' })).body;
    await a.tier({ name: 'A gold', threshold: 10, basis: 'lifetime' });
    for (const programId of [b.programId, '00000000-0000-4000-8000-000000000000', 'nope']) {
      for (const res of [
        await a.call('get', `/api/admin/programs/${programId}/tiers`),
        await a.call('post', `/api/admin/programs/${programId}/tiers`, { name: 'X', threshold: 1, basis: 'lifetime' }),
      ]) {
        expect(res.status).toBe(404);
      }
    }
    for (const tierId of [tierOfB.id, '00000000-0000-4000-8000-000000000000', 'nope']) {
      expect((await a.call('patch', `/api/admin/tiers/${tierId}`, { name: 'Mine' })).status).toBe(404);
      expect((await a.call('delete', `/api/admin/tiers/${tierId}`)).status).toBe(404);
    }
    const listed = (await a.call('get', `/api/admin/programs/${a.programId}/tiers`)).body.data;
    expect(listed.map((tier: { name: string }) => tier.name)).toEqual(['A gold']);
    expect((await b.call('get', `/api/admin/programs/${b.programId}/tiers`)).body.data).toEqual([tierOfB]);
  });

  it('is for admins only: 403 for staff and customers, and nothing changes', async () => {
    const a = await admin();
    const tier = (await a.tier({ name: 'Gold', threshold: 10, basis: 'lifetime' })).body;
    for (const role of ['staff', 'customer'] as const) {
      const token = (await fixtures.signIn(await fixtures.account(role, a.tenant))).access_token;
      const calls = [
        request(t.server).get(`/api/admin/programs/${a.programId}/tiers`),
        request(t.server)
          .post(`/api/admin/programs/${a.programId}/tiers`)
          .send({ name: 'X', threshold: 1, basis: 'lifetime' }),
        request(t.server).patch(`/api/admin/tiers/${tier.id}`).send({ name: 'X' }),
        request(t.server).delete(`/api/admin/tiers/${tier.id}`),
      ];
      for (const call of calls) expect((await call.set('authorization', `Bearer ${token}`)).status).toBe(403);
    }
    expect(await ladder(a)).toEqual([{ name: 'Gold', rank: 0, threshold: 10 }]);
  });
});
