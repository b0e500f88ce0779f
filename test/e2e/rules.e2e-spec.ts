import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant } from '../../src/database/tenant-transaction';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { authFixtures } from './auth-fixtures';

describe('rules admin API and simulation', () => {
  let t: TestApp;
  let fixtures: ReturnType<typeof authFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fixtures = authFixtures(t);
  });
  afterAll(async () => t?.close());

  type Method = 'get' | 'post' | 'patch';

  interface Admin {
    tenant: TenantEntity;
    programId: string;
    call(method: Method, path: string, body?: object): request.Test;
    rule(body: object): Promise<request.Response>;
    simulate(body: object): Promise<request.Response>;
    customer(segments?: string[]): Promise<string>;
    tier(body: object, programId?: string): Promise<string>;
    sql<T = Array<Record<string, unknown>>>(query: string, parameters?: unknown[]): Promise<T>;
  }

  /** An admin of a fresh tenant whose default program was made through the API. */
  async function admin(options: { program?: boolean } = {}): Promise<Admin> {
    const account = await fixtures.account('admin');
    const { access_token: token } = await fixtures.signIn(account);
    const call: Admin['call'] = (method, path, body) => {
      const pending = request(t.server)[method](path).set('authorization', `Bearer ${token}`);
      return body === undefined ? pending : pending.send(body);
    };
    const sql: Admin['sql'] = (query, parameters = []) =>
      runInTenant(t.app.get(DataSource), account.tenant.id, (m) => m.query(query, parameters));
    const program = options.program === false ? null : await call('post', '/api/admin/programs', { name: 'Main' });
    const programId = program?.body.id as string;
    return {
      tenant: account.tenant,
      programId,
      call,
      sql,
      rule: (body) => call('post', '/api/admin/rules', body),
      simulate: (body) => call('post', '/api/admin/rules/simulate', body),
      async customer(segments = []) {
        const [row] = await sql<Array<{ id: string }>>(
          `INSERT INTO customers (tenant_id, segments) VALUES ($1, $2) RETURNING id`,
          [account.tenant.id, segments],
        );
        return row.id;
      },
      async tier(body, inProgram = programId) {
        const res = await call('post', `/api/admin/programs/${inProgram}/tiers`, body);
        expect(res.status).toBe(201);
        return res.body.id as string;
      },
    };
  }

  const fields = (res: request.Response) => (res.body.errors ?? []).map((error: { field: string }) => error.field);
  const audit = (a: Admin) =>
    a.sql<Array<{ action: string; target_id: string; before: object | null; after: object | null }>>(
      `SELECT action, target_id, before, after FROM audit_log WHERE target_type = 'rule' ORDER BY occurred_at, id`,
    );
  const ruleCount = async (a: Admin) =>
    (await a.sql<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM rules`))[0].n;

  /** Everything earning or simulating could write, as one comparable value. */
  const everything = (a: Admin) =>
    a.sql(
      `SELECT (SELECT count(*) FROM activities)::int AS activities,
              (SELECT count(*) FROM point_transactions)::int AS transactions,
              (SELECT count(*) FROM point_lots)::int AS lots,
              (SELECT count(*) FROM loyalty_accounts)::int AS accounts,
              (SELECT coalesce(sum(balance), 0) FROM loyalty_accounts)::int AS balances,
              (SELECT count(*) FROM outbox)::int AS outbox,
              (SELECT count(*) FROM audit_log)::int AS audit,
              (SELECT count(*) FROM tier_changes)::int AS tier_changes,
              (SELECT json_agg(json_build_array(id, points_awarded, updated_at) ORDER BY id) FROM rules) AS rules`,
    );

  const PER_POUND = {
    name: '1 per £1',
    rule_type: 'purchase',
    effect: { type: 'points_per_unit', points: 1, per: 100 },
  };
  /** 7 bonus points for the `vip` segment. */
  const VIP = {
    name: 'VIP',
    rule_type: 'purchase',
    conditions: { segments: ['vip'] },
    effect: { type: 'bonus', points: 7 },
  };
  /** 20 points on every third purchase. */
  const EVERY_THIRD = {
    name: 'Every 3rd',
    rule_type: 'purchase',
    conditions: { every_nth: 3 },
    effect: { type: 'fixed', points: 20 },
  };

  describe('CRUD', () => {
    it('creates a rule in the default program, stored normalised, answered as the Rule shape plus id and counters', async () => {
      const a = await admin();
      const res = await a.rule({
        name: ' Coffee mornings ',
        rule_type: 'purchase',
        priority: 10,
        stacking: 'exclusive',
        conditions: {
          min_amount: 500,
          currency: 'GBP',
          days_of_week: [5, 1, 1, 3],
          time_window: { from: '07:00', to: '11:00' },
          categories: ['coffee', 'coffee'],
          channel: 'in_store',
          first_activity_only: false,
          every_nth: 0,
        },
        effect: { type: 'points_per_unit', points: 1, per: 100 },
        caps: { per_customer: { day: 3 } },
        start_date: null,
        end_date: '2030-12-31',
      });
      expect(res.status).toBe(201);
      const expected = {
        id: expect.any(String),
        name: 'Coffee mornings',
        program_id: a.programId,
        rule_type: 'purchase',
        custom_type: null,
        priority: 10,
        stacking: 'exclusive',
        conditions: {
          min_amount: 500,
          currency: 'GBP',
          days_of_week: [1, 3, 5],
          time_window: { from: '07:00', to: '11:00' },
          categories: ['coffee'],
          channels: ['in_store'],
          first_activity_only: false,
          every_nth: 0,
        },
        effect: { type: 'points_per_unit', points: 1, per: 100 },
        caps: { per_customer: { day: 3, week: 0, month: 0, lifetime: 0 }, budget_points: 0 },
        start_date: null,
        end_date: '2030-12-31',
        active: true,
        points_awarded: 0,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      };
      expect(res.body).toEqual(expected);
      expect((await a.call('get', `/api/admin/rules/${res.body.id}`)).body).toEqual(res.body);
      const [stored] = await a.sql(`SELECT conditions, caps FROM rules WHERE id = $1`, [res.body.id]);
      expect(stored).toEqual({ conditions: expected.conditions, caps: expected.caps });
      expect(await audit(a)).toEqual([
        {
          action: 'rule.created',
          target_id: res.body.id,
          before: null,
          after: expect.objectContaining({ name: 'Coffee mornings', stacking: 'exclusive' }),
        },
      ]);
    });

    it.each([
      ['no name', { rule_type: 'purchase', effect: { type: 'fixed', points: 5 } }, 'name'],
      ['no effect', { name: 'R', rule_type: 'purchase' }, 'effect'],
      ['an unknown rule type', { name: 'R', rule_type: 'teleport', effect: { type: 'fixed', points: 5 } }, 'rule_type'],
      [
        'an unknown effect',
        { name: 'R', rule_type: 'purchase', effect: { type: 'cashback', points: 5 } },
        'effect.type',
      ],
      ['points per unit without per', { ...PER_POUND, effect: { type: 'points_per_unit', points: 1 } }, 'effect.per'],
      ['a multiplier of 1', { ...PER_POUND, effect: { type: 'multiplier', factor: 1 } }, 'effect.factor'],
      ['a weekday 8', { ...PER_POUND, conditions: { days_of_week: [1, 8] } }, 'conditions.days_of_week[1]'],
      [
        'an empty time window',
        { ...PER_POUND, conditions: { time_window: { from: '07:00', to: '07:00' } } },
        'conditions.time_window.to',
      ],
      ['min above max', { ...PER_POUND, conditions: { min_amount: 9, max_amount: 1 } }, 'conditions.min_amount'],
      [
        'a location that is not a UUID',
        { ...PER_POUND, conditions: { location_ids: ['here'] } },
        'conditions.location_ids[0]',
      ],
      ['an unknown condition', { ...PER_POUND, conditions: { colour: 'red' } }, 'conditions.colour'],
      ['a negative cap', { ...PER_POUND, caps: { per_customer: { day: -1 } } }, 'caps.per_customer.day'],
      ['an end before the start', { ...PER_POUND, start_date: '2030-02-01', end_date: '2030-01-01' }, 'end_date'],
      ['an impossible date', { ...PER_POUND, start_date: '2030-02-30' }, 'start_date'],
      ['a custom_type on a purchase rule', { ...PER_POUND, custom_type: 'review' }, 'custom_type'],
      ['a priority as a string', { ...PER_POUND, priority: '10' }, 'priority'],
      ['a program_id that is not a UUID', { ...PER_POUND, program_id: 'main' }, 'program_id'],
      ['an unknown field', { ...PER_POUND, points: 5 }, 'points'],
    ])('refuses %s with a 400 naming the field and writes nothing', async (_case, body, field) => {
      const a = await admin();
      const res = await a.rule(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(fields(res)).toContain(field);
      expect(await ruleCount(a)).toBe(0);
      expect(await audit(a)).toEqual([]);
    });

    it('puts a rule in the program named, refuses a program that is not the tenant’s, and needs a default otherwise', async () => {
      const a = await admin();
      const b = await admin();
      const side = (await a.call('post', '/api/admin/programs', { name: 'Side' })).body;
      const inSide = await a.rule({ ...PER_POUND, program_id: side.id.toUpperCase() });
      expect(inSide.status).toBe(201);
      expect(inSide.body.program_id).toBe(side.id);
      for (const programId of [b.programId, '00000000-0000-4000-8000-000000000000']) {
        const res = await a.rule({ ...PER_POUND, program_id: programId });
        expect(res.status).toBe(400);
        expect(fields(res)).toEqual(['program_id']);
      }
      expect(await ruleCount(a)).toBe(1);
      expect(await ruleCount(b)).toBe(0);

      const empty = await admin({ program: false });
      const res = await empty.rule(PER_POUND);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('no_default_program');
    });

    it('accepts only tiers of the rule’s program in conditions.tier_ids, naming each one that is not', async () => {
      const a = await admin();
      const b = await admin();
      const gold = await a.tier({ name: 'Gold', threshold: 100, basis: 'lifetime' });
      const side = (await a.call('post', '/api/admin/programs', { name: 'Side' })).body;
      const sideTier = await a.tier({ name: 'Side gold', threshold: 100, basis: 'lifetime' }, side.id);
      const foreign = await b.tier({ name: 'B gold', threshold: 100, basis: 'lifetime' });
      const res = await a.rule({ ...PER_POUND, conditions: { tier_ids: [gold, sideTier, foreign] } });
      expect(res.status).toBe(400);
      expect(fields(res)).toEqual(['conditions.tier_ids[1]', 'conditions.tier_ids[2]']);
      expect(await ruleCount(a)).toBe(0);
      const ok = await a.rule({ ...PER_POUND, conditions: { tier_ids: [gold.toUpperCase()] } });
      expect(ok.status).toBe(201);
      expect(ok.body.conditions).toEqual({ tier_ids: [gold] });
    });

    it('patches a rule: conditions and caps merge, null removes, an effect of another type replaces; audited', async () => {
      const a = await admin();
      const created = (
        await a.rule({
          ...PER_POUND,
          conditions: { min_amount: 500, currency: 'GBP' },
          caps: { per_customer: { day: 100 }, budget_points: 1000 },
        })
      ).body;
      const res = await a.call('patch', `/api/admin/rules/${created.id}`, {
        name: 'Changed',
        program_id: created.program_id,
        conditions: { min_amount: null, max_amount: 10000 },
        caps: { per_customer: { week: 300 } },
        effect: { points: 2 },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: created.id,
        name: 'Changed',
        conditions: { currency: 'GBP', max_amount: 10000 },
        caps: { per_customer: { day: 100, week: 300, month: 0, lifetime: 0 }, budget_points: 1000 },
        effect: { type: 'points_per_unit', points: 2, per: 100 },
        points_awarded: 0,
        created_at: created.created_at,
      });
      expect(res.body.conditions).not.toHaveProperty('min_amount');
      const replaced = await a.call('patch', `/api/admin/rules/${created.id}`, {
        effect: { type: 'fixed', points: 5 },
        active: false,
      });
      expect(replaced.body).toMatchObject({ effect: { type: 'fixed', points: 5 }, active: false });
      const updates = (await audit(a)).filter((entry) => entry.action === 'rule.updated');
      expect(updates).toHaveLength(2);
      expect(updates[0].before).toMatchObject({ name: '1 per £1', conditions: { min_amount: 500 } });
      expect(updates[0].after).toMatchObject({ name: 'Changed', conditions: { max_amount: 10000 } });
    });

    it.each([
      ['a program change', () => ({ program_id: '00000000-0000-4000-8000-000000000000' }), 'program_id'],
      ['a minimum above the stored maximum', () => ({ conditions: { min_amount: 999999 } }), 'conditions.min_amount'],
      ['a bad effect field', () => ({ effect: { per: 0 } }), 'effect.per'],
      [
        'a tier of another tenant',
        () => ({ conditions: { tier_ids: ['00000000-0000-4000-8000-000000000000'] } }),
        'conditions.tier_ids[0]',
      ],
      ['a null name', () => ({ name: null }), 'name'],
      ['an unknown field', () => ({ id: '00000000-0000-4000-8000-000000000000' }), 'id'],
    ])('refuses a patch with %s and changes nothing', async (_case, patch, field) => {
      const a = await admin();
      const created = (await a.rule({ ...PER_POUND, conditions: { max_amount: 5000 } })).body;
      const res = await a.call('patch', `/api/admin/rules/${created.id}`, patch());
      expect(res.status).toBe(400);
      expect(fields(res)).toContain(field);
      expect((await a.call('get', `/api/admin/rules/${created.id}`)).body).toEqual(created);
      expect((await audit(a)).map((entry) => entry.action)).toEqual(['rule.created']);
    });

    it('lists rules newest first with filters and pages, and shows points_awarded', async () => {
      const a = await admin();
      const side = (await a.call('post', '/api/admin/programs', { name: 'Side' })).body;
      const r1 = (await a.rule(PER_POUND)).body;
      const r2 = (await a.rule({ name: 'Signup', rule_type: 'signup', effect: { type: 'bonus', points: 100 } })).body;
      const r3 = (await a.rule({ ...PER_POUND, active: false })).body;
      const r4 = (await a.rule({ ...PER_POUND, program_id: side.id })).body;
      const ids = async (query: string) =>
        (await a.call('get', `/api/admin/rules${query}`)).body.data.map((rule: { id: string }) => rule.id);
      expect(await ids('')).toEqual([r4.id, r3.id, r2.id, r1.id]);
      expect(await ids(`?program_id=${a.programId}`)).toEqual([r3.id, r2.id, r1.id]);
      expect(await ids('?rule_type=signup')).toEqual([r2.id]);
      expect(await ids('?active=false')).toEqual([r3.id]);
      expect(await ids(`?active=true&rule_type=purchase&program_id=${a.programId}`)).toEqual([r1.id]);

      const pages: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await a.call(
          'get',
          `/api/admin/rules?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        pages.push(...res.body.data.map((rule: { id: string }) => rule.id));
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(pages).toEqual([r4.id, r3.id, r2.id, r1.id]);

      for (const query of ['?active=yes', '?rule_type=teleport', '?program_id=main', '?limit=101']) {
        expect((await a.call('get', `/api/admin/rules${query}`)).status).toBe(400);
      }

      const customer = await a.customer();
      const budgeted = (await a.rule({ ...PER_POUND, caps: { budget_points: 1000 } })).body;
      await a.call('post', '/api/activities', { type: 'purchase', customer_id: customer, amount: 700 });
      expect((await a.call('get', `/api/admin/rules/${budgeted.id}`)).body.points_awarded).toBe(7);
    });

    it('answers 404 for unknown ids, non-UUIDs and other tenants’ rules, and never lists them', async () => {
      const a = await admin();
      const b = await admin();
      const ofB = (await b.rule(PER_POUND)).body;
      const ofA = (await a.rule(PER_POUND)).body;
      for (const id of [ofB.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        expect((await a.call('get', `/api/admin/rules/${id}`)).status).toBe(404);
        const patched = await a.call('patch', `/api/admin/rules/${id}`, { name: 'Mine' });
        expect(patched.status).toBe(404);
        expect(patched.body.code).toBe('not_found');
      }
      const listed = (await a.call('get', '/api/admin/rules')).body.data.map((rule: { id: string }) => rule.id);
      expect(listed).toEqual([ofA.id]);
      expect((await a.call('get', `/api/admin/rules?program_id=${b.programId}`)).body.data).toEqual([]);
      expect((await b.call('get', `/api/admin/rules/${ofB.id}`)).body.name).toBe('1 per £1');
    });

    it('is for admins only: 403 for staff and customers on every route, and nothing changes', async () => {
      const a = await admin();
      const rule = (await a.rule(PER_POUND)).body;
      for (const role of ['staff', 'customer'] as const) {
        const token = (await fixtures.signIn(await fixtures.account(role, a.tenant))).access_token;
        const calls = [
          request(t.server).get('/api/admin/rules'),
          request(t.server).post('/api/admin/rules').send(PER_POUND),
          request(t.server).get(`/api/admin/rules/${rule.id}`),
          request(t.server).patch(`/api/admin/rules/${rule.id}`).send({ name: 'X' }),
          request(t.server)
            .post('/api/admin/rules/simulate')
            .send({ activity: { type: 'purchase', amount: 100 } }),
        ];
        for (const call of calls) expect((await call.set('authorization', `Bearer ${token}`)).status).toBe(403);
      }
      expect(await ruleCount(a)).toBe(1);
      expect((await a.call('get', `/api/admin/rules/${rule.id}`)).body).toEqual(rule);
    });
  });

  describe('POST /api/admin/rules/simulate', () => {
    it('evaluates unsaved rules exactly as the evaluator answers, with the reasons of the rules that do not fire', async () => {
      const a = await admin();
      const res = await a.simulate({
        rules: [
          { ...PER_POUND, priority: 10 },
          { name: 'Welcome', rule_type: 'purchase', priority: 5, effect: { type: 'bonus', points: 50 } },
          {
            name: 'Big baskets',
            rule_type: 'purchase',
            priority: 3,
            conditions: { min_amount: 5000 },
            effect: { type: 'fixed', points: 20 },
          },
          { name: 'Signup', rule_type: 'signup', effect: { type: 'fixed', points: 100 } },
          { name: 'Off', rule_type: 'purchase', active: false, effect: { type: 'fixed', points: 1 } },
        ],
        activity: { type: 'purchase', amount: 1250 },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        points: 62,
        applied: [
          { rule_id: 'rules[0]', name: '1 per £1', points: 12 },
          { rule_id: 'rules[1]', name: 'Welcome', points: 50 },
        ],
        skipped: [
          { rule_id: 'rules[2]', name: 'Big baskets', reason: 'below_min_amount' },
          { rule_id: 'rules[3]', name: 'Signup', reason: 'type_mismatch' },
          { rule_id: 'rules[4]', name: 'Off', reason: 'inactive' },
        ],
      });
    });

    it('explains exclusivity and caps: an exclusive rule stops lower ones, a used-up cap hands earning back', async () => {
      const a = await admin();
      const promo = (
        await a.rule({
          name: 'Promo',
          rule_type: 'purchase',
          priority: 20,
          stacking: 'exclusive',
          effect: { type: 'fixed', points: 100 },
          caps: { per_customer: { day: 100 } },
        })
      ).body;
      const base = (await a.rule({ ...PER_POUND, priority: 10 })).body;
      const customer = await a.customer();
      const first = await a.simulate({
        activity: { type: 'purchase', amount: 1000 },
        customer: { customer_id: customer },
      });
      expect(first.body).toEqual({
        points: 100,
        applied: [{ rule_id: promo.id, name: 'Promo', points: 100 }],
        skipped: [{ rule_id: base.id, name: '1 per £1', reason: 'excluded', excluded_by: promo.id }],
      });
      await a.call('post', '/api/activities', { type: 'purchase', customer_id: customer, amount: 1000 });
      const second = await a.simulate({
        activity: { type: 'purchase', amount: 1000 },
        customer: { customer_id: customer },
      });
      expect(second.body).toEqual({
        points: 10,
        applied: [{ rule_id: base.id, name: '1 per £1', points: 10 }],
        skipped: [{ rule_id: promo.id, name: 'Promo', reason: 'cap_reached', cap: 'day' }],
      });
      // A hypothetical customer has used nothing yet.
      expect((await a.simulate({ activity: { type: 'purchase', amount: 1000 } })).body.points).toBe(100);
    });

    it('uses a described customer’s tier (and its multiplier), segments and prior activity counts', async () => {
      const a = await admin();
      const gold = await a.tier({ name: 'Gold', threshold: 0, basis: 'lifetime', benefits: { earn_multiplier: 2 } });
      await a.rule({ ...PER_POUND, priority: 10 });
      await a.rule({
        name: 'Gold only',
        rule_type: 'purchase',
        priority: 9,
        conditions: { tier_ids: [gold] },
        effect: { type: 'bonus', points: 5 },
      });
      await a.rule({ ...VIP, priority: 8 });
      await a.rule({ ...EVERY_THIRD, priority: 7 });
      const points = async (customer?: object) =>
        (await a.simulate({ activity: { type: 'purchase', amount: 1000 }, ...(customer ? { customer } : {}) })).body
          .points;
      expect(await points()).toBe(10);
      expect(await points({ tier_id: gold })).toBe(20 + 5);
      expect(await points({ segments: ['vip'] })).toBe(10 + 7);
      expect(await points({ prior_count_by_type: { purchase: 2 } })).toBe(10 + 20);
      expect(await points({ tier_id: gold, segments: ['vip'], prior_count_by_type: { purchase: 5 } })).toBe(
        20 + 5 + 7 + 40,
      );
    });

    it('uses a real customer’s tier, segments, activity count and cap usage without creating or locking their account', async () => {
      const a = await admin();
      const member = await a.tier({
        name: 'Member',
        threshold: 0,
        basis: 'lifetime',
        benefits: { earn_multiplier: 1.5 },
      });
      await a.rule({ ...PER_POUND, caps: { per_customer: { day: 25 } } });
      await a.rule({
        name: 'First',
        rule_type: 'purchase',
        conditions: { first_activity_only: true },
        effect: { type: 'bonus', points: 50 },
      });
      await a.rule({
        name: 'Members',
        rule_type: 'purchase',
        conditions: { tier_ids: [member] },
        effect: { type: 'bonus', points: 5 },
      });
      await a.rule(VIP);
      const customer = await a.customer(['vip']);
      const simulate = async () =>
        (await a.simulate({ activity: { type: 'purchase', amount: 1000 }, customer: { customer_id: customer } })).body;

      const before = await everything(a);
      expect((await simulate()).points).toBe(10 + 50 + 7);
      expect(await everything(a)).toEqual(before); // no account created
      expect((await a.sql(`SELECT 1 FROM loyalty_accounts`)).length).toBe(0);

      await a.call('post', '/api/activities', { type: 'purchase', customer_id: customer, amount: 1000 });
      const second = await simulate();
      // Member now (×1.5 → 15, of which the day cap leaves 15), not first any more, in the vip segment.
      expect(second.points).toBe(15 + 5 + 7);
      expect(second.skipped.map((rule: { name: string; reason: string }) => [rule.name, rule.reason])).toEqual([
        ['First', 'not_first_activity'],
      ]);
      await a.call('post', '/api/activities', { type: 'purchase', customer_id: customer, amount: 1000 });
      const third = await simulate();
      expect(third.applied.find((rule: { name: string }) => rule.name === '1 per £1')).toBeUndefined();
      expect(third.skipped).toContainEqual(
        expect.objectContaining({ name: '1 per £1', reason: 'cap_reached', cap: 'day' }),
      );
    });

    it('writes nothing: no activity, ledger row, lot, account, outbox event, audit entry or rule counter changes', async () => {
      const a = await admin();
      await a.tier({ name: 'Member', threshold: 0, basis: 'lifetime' });
      await a.rule({ ...PER_POUND, caps: { budget_points: 1000, per_customer: { day: 500 } } });
      await a.rule({
        name: 'Welcome',
        rule_type: 'purchase',
        effect: { type: 'bonus', points: 50 },
        caps: { budget_points: 60 },
      });
      const earner = await a.customer();
      await a.call('post', '/api/activities', { type: 'purchase', customer_id: earner, amount: 2000 });
      const newcomer = await a.customer();
      const before = await everything(a);
      expect(before[0]).toMatchObject({ activities: 1, accounts: 1, balances: 70 });
      for (const customer of [{ customer_id: earner }, { customer_id: newcomer }, {}, undefined]) {
        const res = await a.simulate({
          activity: { type: 'purchase', amount: 5000 },
          ...(customer ? { customer } : {}),
        });
        expect(res.status).toBe(200);
        expect(res.body.points).toBeGreaterThan(0);
      }
      await a.simulate({
        rules: [PER_POUND],
        activity: { type: 'purchase', amount: 5000 },
        customer: { customer_id: newcomer },
      });
      expect(await everything(a)).toEqual(before);
    });

    it.each([
      ['a purchase without an amount', { activity: { type: 'purchase' } }, 'activity.amount'],
      ['no activity', {}, 'activity'],
      ['an unknown activity type', { activity: { type: 'teleport' } }, 'activity.type'],
      ['a bad currency', { activity: { type: 'signup', currency: 'pounds' } }, 'activity.currency'],
      ['a bad item', { activity: { type: 'purchase', amount: 1, items: [{ quantity: 1 }] } }, 'activity.items[0].sku'],
      [
        'an unsaved rule that is invalid',
        {
          rules: [PER_POUND, { ...PER_POUND, effect: { type: 'points_per_unit', points: 1 } }],
          activity: { type: 'signup' },
        },
        'rules[1].effect.per',
      ],
      ['an unsaved rule that is not an object', { rules: ['all'], activity: { type: 'signup' } }, 'rules[0]'],
      ['rules that are not a list', { rules: PER_POUND, activity: { type: 'signup' } }, 'rules'],
      [
        'a customer_id with facts',
        {
          activity: { type: 'signup' },
          customer: { customer_id: '00000000-0000-4000-8000-000000000000', segments: ['vip'] },
        },
        'customer.customer_id',
      ],
      [
        'a tier that is not the program’s',
        { activity: { type: 'signup' }, customer: { tier_id: '00000000-0000-4000-8000-000000000000' } },
        'customer.tier_id',
      ],
      [
        'a negative prior count',
        { activity: { type: 'signup' }, customer: { prior_count_by_type: { purchase: -1 } } },
        'customer.prior_count_by_type.purchase',
      ],
      [
        'a prior count of an unknown type',
        { activity: { type: 'signup' }, customer: { prior_count_by_type: { teleport: 1 } } },
        'customer.prior_count_by_type.teleport',
      ],
      [
        'an unknown customer field',
        { activity: { type: 'signup' }, customer: { email: 'x@example.com' } },
        'customer.email',
      ],
    ])('refuses %s with a 400 naming the field', async (_case, body, field) => {
      const a = await admin();
      const res = await a.simulate(body);
      expect(res.status).toBe(400);
      expect(fields(res)).toContain(field);
    });

    it('answers 404 for another tenant’s customer or program and 422 for an archived program', async () => {
      const a = await admin();
      const b = await admin();
      const customerOfB = await b.customer();
      for (const body of [
        { activity: { type: 'signup' }, customer: { customer_id: customerOfB } },
        { activity: { type: 'signup', program_id: b.programId } },
      ]) {
        const res = await a.simulate(body);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      const side = (await a.call('post', '/api/admin/programs', { name: 'Old' })).body;
      await a.call('patch', `/api/admin/programs/${side.id}`, { status: 'archived' });
      const archived = await a.simulate({ activity: { type: 'signup', program_id: side.id } });
      expect(archived.status).toBe(422);
      expect(archived.body.code).toBe('program_inactive');
    });
  });

  describe('a rule created through the API earns through POST /api/activities exactly as simulate predicted', () => {
    /** Simulates for the customer, records the same activity, and checks that both agree. */
    async function simulateThenEarn(a: Admin, customerId: string, activity: Record<string, unknown>) {
      const simulated = await a.simulate({ activity, customer: { customer_id: customerId } });
      expect(simulated.status).toBe(200);
      const recorded = await a.call('post', '/api/activities', { ...activity, customer_id: customerId });
      expect(recorded.status).toBe(201);
      expect({ points: recorded.body.points_awarded, rules: recorded.body.rules_applied }).toEqual({
        points: simulated.body.points,
        rules: simulated.body.applied.map(({ rule_id, name, points }: Record<string, unknown>) => ({
          rule_id,
          name,
          points,
        })),
      });
      return simulated.body.points as number;
    }

    it('per-unit points, a conditional multiplier and a first-purchase bonus', async () => {
      const a = await admin();
      await a.rule({ ...PER_POUND, priority: 10 });
      await a.rule({
        name: 'Double big baskets',
        rule_type: 'purchase',
        priority: 5,
        conditions: { min_amount: 2000 },
        effect: { type: 'multiplier', factor: 2 },
      });
      await a.rule({
        name: 'Welcome',
        rule_type: 'purchase',
        priority: 1,
        conditions: { first_activity_only: true },
        effect: { type: 'bonus', points: 50 },
      });
      const customer = await a.customer();
      const earned = [];
      for (const amount of [1250, 2500, 999])
        earned.push(await simulateThenEarn(a, customer, { type: 'purchase', amount }));
      expect(earned).toEqual([12 + 50, 25 + 25, 9]);
    });

    it('an exclusive capped promotion, then the normal rule once the cap is used up', async () => {
      const a = await admin();
      await a.rule({
        name: 'Promo',
        rule_type: 'purchase',
        priority: 20,
        stacking: 'exclusive',
        effect: { type: 'fixed', points: 100 },
        caps: { per_customer: { day: 150 } },
      });
      await a.rule({ ...PER_POUND, priority: 10 });
      const customer = await a.customer();
      const earned = [];
      for (let i = 0; i < 3; i++) earned.push(await simulateThenEarn(a, customer, { type: 'purchase', amount: 1000 }));
      expect(earned).toEqual([100, 50, 10]);
    });

    it('tiers, segments and every n-th activity under the program’s rounding and per-activity limit', async () => {
      const a = await admin();
      await a.call('patch', `/api/admin/programs/${a.programId}`, {
        earn_policy: { rounding: 'ceil', max_points_per_activity: 40 },
      });
      const member = await a.tier({
        name: 'Member',
        threshold: 0,
        basis: 'lifetime',
        benefits: { earn_multiplier: 1.5 },
      });
      await a.tier({ name: 'Gold', threshold: 100000, basis: 'lifetime' });
      await a.rule({ ...PER_POUND, priority: 10 });
      await a.rule({
        name: 'Members',
        rule_type: 'purchase',
        priority: 9,
        conditions: { tier_ids: [member] },
        effect: { type: 'fixed', points: 5 },
      });
      await a.rule({ ...VIP, priority: 8 });
      await a.rule({ ...EVERY_THIRD, priority: 7 });
      const customer = await a.customer(['vip']);
      const earned = [];
      for (let i = 0; i < 4; i++) earned.push(await simulateThenEarn(a, customer, { type: 'purchase', amount: 1050 }));
      // 1: no tier yet: ceil(10.5) + 7; 2: Member ×1.5: ceil(15.75) + ceil(7.5) + 7;
      // 3: + every 3rd (30), cut to the limit of 40; 4: as 2.
      expect(earned).toEqual([18, 31, 40, 31]);
    });

    it('item categories, channels, custom activity types and a budget shared by everyone', async () => {
      const a = await admin();
      await a.rule({
        name: 'Coffee',
        rule_type: 'purchase',
        priority: 10,
        conditions: { categories: ['coffee'] },
        effect: { type: 'points_per_unit', points: 2, per: 100 },
      });
      await a.rule({
        name: 'App',
        rule_type: 'purchase',
        priority: 1,
        conditions: { channel: 'app' },
        effect: { type: 'bonus', points: 3 },
      });
      await a.rule({
        name: 'Reviews',
        rule_type: 'custom',
        custom_type: 'review',
        effect: { type: 'fixed', points: 15 },
        caps: { budget_points: 20 },
      });
      const first = await a.customer();
      const second = await a.customer();
      const basket = [
        { sku: 'LATTE', category: 'coffee', quantity: 1, amount: 450 },
        { sku: 'MUG', category: 'merch', quantity: 1, amount: 550 },
      ];
      const earned = [
        await simulateThenEarn(a, first, { type: 'purchase', amount: 1000, items: basket, channel: 'app' }),
        await simulateThenEarn(a, first, { type: 'custom:review' }),
        await simulateThenEarn(a, second, { type: 'custom:review' }),
        await simulateThenEarn(a, second, { type: 'custom:review' }),
        await simulateThenEarn(a, second, { type: 'purchase', amount: 550, items: [basket[1]], channel: 'web' }),
        await simulateThenEarn(a, second, { type: 'custom:survey' }),
      ];
      expect(earned).toEqual([9 + 3, 15, 5, 0, 0, 0]);
    });

    it('unsaved rules predict what the same rules earn once saved', async () => {
      const a = await admin();
      const definitions = [
        { ...PER_POUND, priority: 10 },
        {
          name: 'Weekday bonus',
          rule_type: 'purchase',
          priority: 5,
          conditions: { days_of_week: [1, 2, 3, 4, 5, 6, 7] },
          effect: { type: 'bonus', points: 4 },
        },
        {
          name: 'Big',
          rule_type: 'purchase',
          priority: 3,
          conditions: { min_amount: 1000 },
          effect: { type: 'multiplier', factor: 1.5 },
        },
      ];
      const customer = await a.customer();
      const draft = await a.simulate({
        rules: definitions,
        activity: { type: 'purchase', amount: 1999 },
        customer: { customer_id: customer },
      });
      for (const definition of definitions) expect((await a.rule(definition)).status).toBe(201);
      const saved = await simulateThenEarn(a, customer, { type: 'purchase', amount: 1999 });
      expect(draft.body.points).toBe(saved);
      expect(saved).toBe(19 + 4 + 9);
    });
  });
});
