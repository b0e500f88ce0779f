import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant } from '../../src/database/tenant-transaction';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { authFixtures } from './auth-fixtures';

describe('programs admin API', () => {
  let t: TestApp;
  let fixtures: ReturnType<typeof authFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fixtures = authFixtures(t);
  });
  afterAll(async () => t?.close());

  interface Admin {
    tenant: TenantEntity;
    token: string;
    call(method: 'get' | 'post' | 'patch', path: string, body?: object): request.Test;
    sql<T = Array<Record<string, unknown>>>(query: string, parameters?: unknown[]): Promise<T>;
  }

  /** An admin of a fresh tenant that has no program yet. */
  async function admin(role: 'admin' | 'owner' = 'admin'): Promise<Admin> {
    const account = await fixtures.account(role);
    const { access_token: token } = await fixtures.signIn(account);
    return {
      tenant: account.tenant,
      token,
      call: (method, path, body) => {
        const call = request(t.server)[method](path).set('authorization', `Bearer ${token}`);
        return body === undefined ? call : call.send(body);
      },
      sql: (query, parameters = []) =>
        runInTenant(t.app.get(DataSource), account.tenant.id, (m) => m.query(query, parameters)),
    };
  }

  const programs = (a: Admin) =>
    a.sql<Array<{ name: string; is_default: boolean; status: string }>>(
      `SELECT name, is_default, status FROM programs ORDER BY created_at, id`,
    );
  const audit = (a: Admin) =>
    a.sql<
      Array<{
        action: string;
        target_id: string;
        before: Record<string, unknown> | null;
        after: Record<string, unknown> | null;
      }>
    >(`SELECT action, target_id, before, after FROM audit_log WHERE target_type = 'program' ORDER BY occurred_at, id`);
  const fields = (res: request.Response) => (res.body.errors ?? []).map((error: { field: string }) => error.field);

  it('creates a program with defaults filled in; the first program of a tenant is its default', async () => {
    const a = await admin();
    const res = await a.call('post', '/api/admin/programs', { name: 'Coffee Club', is_default: false });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Coffee Club',
      point_name: 'points',
      status: 'active',
      is_default: true,
      earn_policy: { rounding: 'floor', max_points_per_activity: 0 },
      expiry_policy: { type: 'never' },
      pending_days: 0,
      tier_downgrade_policy: 'never',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await a.call('get', `/api/admin/programs/${res.body.id}`)).body).toEqual(res.body);
    expect(await audit(a)).toEqual([
      {
        action: 'program.created',
        target_id: res.body.id,
        before: null,
        after: expect.objectContaining({ name: 'Coffee Club', is_default: true }),
      },
    ]);
  });

  it('stores every policy given, normalised', async () => {
    const a = await admin();
    const res = await a.call('post', '/api/admin/programs', {
      name: '  Stars  ',
      point_name: 'stars',
      earn_policy: { rounding: 'round' },
      expiry_policy: { type: 'end_of_nth_month', months: 12 },
      pending_days: 14,
      tier_downgrade_policy: 'one_step',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Stars',
      point_name: 'stars',
      earn_policy: { rounding: 'round', max_points_per_activity: 0 },
      expiry_policy: { type: 'end_of_nth_month', months: 12 },
      pending_days: 14,
      tier_downgrade_policy: 'one_step',
    });
    const [stored] = await a.sql(`SELECT earn_policy, expiry_policy FROM programs WHERE id = $1`, [res.body.id]);
    expect(stored).toEqual({
      earn_policy: { rounding: 'round', max_points_per_activity: 0 },
      expiry_policy: { type: 'end_of_nth_month', months: 12 },
    });
  });

  it('makes a new default un-default the previous one in the same change, both audited', async () => {
    const a = await admin();
    const first = (await a.call('post', '/api/admin/programs', { name: 'First' })).body;
    const second = await a.call('post', '/api/admin/programs', { name: 'Second', is_default: true });
    expect(second.status).toBe(201);
    expect(second.body.is_default).toBe(true);
    expect(await programs(a)).toEqual([
      { name: 'First', is_default: false, status: 'active' },
      { name: 'Second', is_default: true, status: 'active' },
    ]);
    expect((await a.call('get', `/api/admin/programs/${first.id}`)).body.is_default).toBe(false);
    const entries = await audit(a);
    expect(entries.map((entry) => [entry.action, entry.target_id])).toEqual([
      ['program.created', first.id],
      ['program.updated', first.id],
      ['program.created', second.body.id],
    ]);
    expect(entries[1].before).toMatchObject({ is_default: true });
    expect(entries[1].after).toMatchObject({ is_default: false });

    const third = (await a.call('post', '/api/admin/programs', { name: 'Third' })).body;
    expect(third.is_default).toBe(false);
    const switched = await a.call('patch', `/api/admin/programs/${first.id}`, { is_default: true });
    expect(switched.status).toBe(200);
    expect((await programs(a)).map((program) => program.is_default)).toEqual([true, false, false]);
  });

  it('keeps exactly one default when defaults are created concurrently', async () => {
    const a = await admin();
    await a.call('post', '/api/admin/programs', { name: 'Seed' });
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => a.call('post', '/api/admin/programs', { name: `P${i}`, is_default: true })),
    );
    expect(responses.map((res) => res.status)).toEqual(Array(6).fill(201));
    expect((await programs(a)).filter((program) => program.is_default)).toHaveLength(1);
  });

  it.each([
    [{ name: 'X', expiry_policy: { type: 'days_after_earn' } }, 'expiry_policy.days'],
    [{ name: 'X', expiry_policy: { type: 'days_after_earn', days: 0 } }, 'expiry_policy.days'],
    [{ name: 'X', expiry_policy: { type: 'end_of_nth_month', months: 500 } }, 'expiry_policy.months'],
    [{ name: 'X', expiry_policy: { type: 'soon' } }, 'expiry_policy.type'],
    [{ name: 'X', expiry_policy: { type: 'never', days: 3 } }, 'expiry_policy.days'],
    [{ name: 'X', expiry_policy: 'never' }, 'expiry_policy'],
    [{ name: 'X', earn_policy: { rounding: 'bankers' } }, 'earn_policy.rounding'],
    [{ name: 'X', earn_policy: { max_points_per_activity: -1 } }, 'earn_policy.max_points_per_activity'],
    [{ name: 'X', earn_policy: { multiplier: 2 } }, 'earn_policy.multiplier'],
    [{ name: 'X', pending_days: 366 }, 'pending_days'],
    [{ name: 'X', pending_days: -1 }, 'pending_days'],
    [{ name: 'X', tier_downgrade_policy: 'sometimes' }, 'tier_downgrade_policy'],
    [{ name: 'X', is_default: 'yes' }, 'is_default'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ point_name: 'stars' }, 'name'],
    [{ name: 'X', status: 'archived' }, 'status'],
  ])('refuses %j with a 400 naming %s and writes nothing', async (body, field) => {
    const a = await admin();
    const res = await a.call('post', '/api/admin/programs', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(fields(res)).toContain(field);
    expect(await programs(a)).toEqual([]);
    expect(await audit(a)).toEqual([]);
  });

  it('updates names and policies: earn_policy merges field by field, expiry_policy is replaced whole', async () => {
    const a = await admin();
    const created = (
      await a.call('post', '/api/admin/programs', {
        name: 'Club',
        earn_policy: { rounding: 'ceil', max_points_per_activity: 500 },
        expiry_policy: { type: 'days_after_earn', days: 365 },
      })
    ).body;
    const res = await a.call('patch', `/api/admin/programs/${created.id}`, {
      name: 'Club+',
      point_name: 'beans',
      earn_policy: { rounding: 'round' },
      expiry_policy: { type: 'end_of_nth_month', months: 6 },
      pending_days: 30,
      tier_downgrade_policy: 'period_end',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Club+',
      point_name: 'beans',
      earn_policy: { rounding: 'round', max_points_per_activity: 500 },
      expiry_policy: { type: 'end_of_nth_month', months: 6 },
      pending_days: 30,
      tier_downgrade_policy: 'period_end',
    });
    const cleared = await a.call('patch', `/api/admin/programs/${created.id}`, {
      earn_policy: { max_points_per_activity: null },
      expiry_policy: null,
    });
    expect(cleared.body).toMatchObject({
      earn_policy: { rounding: 'round', max_points_per_activity: 0 },
      expiry_policy: { type: 'never' },
    });
    const [update] = (await audit(a)).filter((entry) => entry.action === 'program.updated');
    expect(update.before).toMatchObject({ name: 'Club', expiry_policy: { type: 'days_after_earn', days: 365 } });
    expect(update.after).toMatchObject({ name: 'Club+', expiry_policy: { type: 'end_of_nth_month', months: 6 } });
  });

  it.each([
    [{ expiry_policy: { type: 'days_after_earn', days: 99999 } }, 'expiry_policy.days'],
    [{ earn_policy: { rounding: 'up' } }, 'earn_policy.rounding'],
    [{ name: null }, 'name'],
    [{ pending_days: null }, 'pending_days'],
    [{ status: 'deleted' }, 'status'],
    [{ is_default: null }, 'is_default'],
    [{ id: '00000000-0000-4000-8000-000000000000' }, 'id'],
  ])('refuses the update %j with a 400 naming %s and changes nothing', async (body, field) => {
    const a = await admin();
    const created = (await a.call('post', '/api/admin/programs', { name: 'Club' })).body;
    const res = await a.call('patch', `/api/admin/programs/${created.id}`, body);
    expect(res.status).toBe(400);
    expect(fields(res)).toContain(field);
    expect((await a.call('get', `/api/admin/programs/${created.id}`)).body).toEqual(created);
    expect((await audit(a)).map((entry) => entry.action)).toEqual(['program.created']);
  });

  it('archives and reactivates a program that is not the default', async () => {
    const a = await admin();
    await a.call('post', '/api/admin/programs', { name: 'Main' });
    const side = (await a.call('post', '/api/admin/programs', { name: 'Side' })).body;
    const archived = await a.call('patch', `/api/admin/programs/${side.id}`, { status: 'archived' });
    expect(archived.status).toBe(200);
    expect(archived.body.status).toBe('archived');
    const onlyArchived = await a.call('get', '/api/admin/programs?status=archived');
    expect(onlyArchived.body.data.map((program: { id: string }) => program.id)).toEqual([side.id]);
    const reactivated = await a.call('patch', `/api/admin/programs/${side.id}`, { status: 'active' });
    expect(reactivated.body.status).toBe('active');
  });

  it('refuses to leave the tenant without an active default, with a code, and changes nothing', async () => {
    const a = await admin();
    const main = (await a.call('post', '/api/admin/programs', { name: 'Main' })).body;
    const side = (await a.call('post', '/api/admin/programs', { name: 'Side' })).body;
    await a.call('patch', `/api/admin/programs/${side.id}`, { status: 'archived' });
    const auditBefore = await audit(a);

    const archiveDefault = await a.call('patch', `/api/admin/programs/${main.id}`, { status: 'archived' });
    expect(archiveDefault.status).toBe(422);
    expect(archiveDefault.body.code).toBe('default_program');

    const undefault = await a.call('patch', `/api/admin/programs/${main.id}`, { is_default: false });
    expect(undefault.status).toBe(422);
    expect(undefault.body.code).toBe('default_program_required');

    const archivedDefault = await a.call('patch', `/api/admin/programs/${side.id}`, { is_default: true });
    expect(archivedDefault.status).toBe(422);
    expect(archivedDefault.body.code).toBe('program_archived');

    const bothAtOnce = await a.call('patch', `/api/admin/programs/${main.id}`, {
      name: 'Renamed',
      status: 'archived',
      is_default: true,
    });
    expect(bothAtOnce.status).toBe(422);

    expect(await programs(a)).toEqual([
      { name: 'Main', is_default: true, status: 'active' },
      { name: 'Side', is_default: false, status: 'archived' },
    ]);
    expect(await audit(a)).toEqual(auditBefore);
  });

  it('lists programs newest first, page by page, with no repeats', async () => {
    const a = await admin();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await a.call('post', '/api/admin/programs', { name: `P${i}` })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await a.call(
        'get',
        `/api/admin/programs?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((program: { id: string }) => program.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    const bad = await a.call('get', '/api/admin/programs?cursor=nonsense');
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['cursor']);
    expect((await a.call('get', '/api/admin/programs?status=gone')).status).toBe(400);
  });

  it('answers a replayed Idempotency-Key with the first response and creates one program', async () => {
    const a = await admin();
    const first = await a.call('post', '/api/admin/programs', { name: 'Once' }).set('idempotency-key', 'prog-1');
    const again = await a.call('post', '/api/admin/programs', { name: 'Once' }).set('idempotency-key', 'prog-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await programs(a)).toHaveLength(1);
  });

  it('earns by the program’s policies: rounding, the per-activity limit, expiry and pending days', async () => {
    const a = await admin();
    const program = (
      await a.call('post', '/api/admin/programs', {
        name: 'Club',
        earn_policy: { rounding: 'ceil', max_points_per_activity: 0 },
        expiry_policy: { type: 'days_after_earn', days: 30 },
        pending_days: 7,
      })
    ).body;
    const [customer] = await a.sql<Array<{ id: string }>>(
      `INSERT INTO customers (tenant_id) VALUES ($1) RETURNING id`,
      [a.tenant.id],
    );
    const rule = await a.call('post', '/api/admin/rules', {
      name: '1 per £1',
      rule_type: 'purchase',
      effect: { type: 'points_per_unit', points: 1, per: 100 },
    });
    expect(rule.status).toBe(201);
    const earn = () =>
      a.call('post', '/api/activities', { type: 'purchase', customer_id: customer.id, amount: 1250, currency: 'USD' });
    expect((await earn()).body.points_awarded).toBe(13); // 12.5 rounded up
    await a.call('patch', `/api/admin/programs/${program.id}`, { earn_policy: { max_points_per_activity: 5 } });
    const limited = await earn();
    expect(limited.body.points_awarded).toBe(5);
    expect(limited.body.pending_balance).toBe(18);
    const [lot] = await a.sql<Array<{ days_to_expiry: number; days_pending: number }>>(
      `SELECT round(extract(epoch FROM expires_at - earned_at) / 86400)::int AS days_to_expiry,
              round(extract(epoch FROM available_at - earned_at) / 86400)::int AS days_pending
         FROM point_lots ORDER BY earned_at LIMIT 1`,
    );
    expect(lot).toEqual({ days_to_expiry: 30, days_pending: 7 });
  });

  it('answers 404 for unknown ids, ids that are not UUIDs and other tenants’ programs, and hides them from lists', async () => {
    const a = await admin();
    const b = await admin();
    const ofB = (await b.call('post', '/api/admin/programs', { name: 'B program' })).body;
    await a.call('post', '/api/admin/programs', { name: 'A program' });
    for (const id of [ofB.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      for (const res of [
        await a.call('get', `/api/admin/programs/${id}`),
        await a.call('patch', `/api/admin/programs/${id}`, { name: 'Mine now' }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    }
    const list = await a.call('get', '/api/admin/programs');
    expect(list.body.data.map((program: { name: string }) => program.name)).toEqual(['A program']);
    expect((await b.call('get', `/api/admin/programs/${ofB.id}`)).body.name).toBe('B program');
  });

  it('is for admins and owners only: 403 for staff and customers, 401 without a credential', async () => {
    const a = await admin();
    const program = (await a.call('post', '/api/admin/programs', { name: 'Main' })).body;
    const owner = await fixtures.account('owner', a.tenant);
    const ownerToken = (await fixtures.signIn(owner)).access_token;
    expect(
      (await request(t.server).get('/api/admin/programs').set('authorization', `Bearer ${ownerToken}`)).status,
    ).toBe(200);
    for (const role of ['staff', 'customer'] as const) {
      const token = (await fixtures.signIn(await fixtures.account(role, a.tenant))).access_token;
      const calls = [
        request(t.server).get('/api/admin/programs'),
        request(t.server).post('/api/admin/programs').send({ name: 'Nope' }),
        request(t.server).get(`/api/admin/programs/${program.id}`),
        request(t.server).patch(`/api/admin/programs/${program.id}`).send({ name: 'Nope' }),
      ];
      for (const call of calls) {
        const res = await call.set('authorization', `Bearer ${token}`);
        expect(res.status).toBe(403);
      }
    }
    expect((await request(t.server).get('/api/admin/programs')).status).toBe(401);
    expect(await programs(a)).toEqual([{ name: 'Main', is_default: true, status: 'active' }]);
  });
});
