import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant } from '../../src/database/tenant-transaction';
import { hashPassword } from '../../src/modules/accounts/passwords';
import { StaffUsersService } from '../../src/modules/accounts/staff-users.service';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { factories } from '../support/factories';
import { ScopeProbeController } from '../support/scope-probe.controller';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';
type Role = 'customer' | 'staff' | 'admin' | 'owner';

describe('staff users', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let make: ReturnType<typeof factories>;
  let passwordHash: string;

  beforeAll(async () => {
    t = await startTestApp({ controllers: [ScopeProbeController] });
    dataSource = t.app.get(DataSource);
    make = factories(dataSource);
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(async () => t?.close());

  interface Account {
    id: string;
    email: string;
  }

  async function account(
    tenant: TenantEntity,
    role: Role,
    fields: { email?: string; first_name?: string; last_name?: string; status?: string } = {},
  ): Promise<Account> {
    const email = fields.email ?? `${role}-${Math.random().toString(36).slice(2)}@example.com`;
    const [user] = (await runInTenant(dataSource, tenant.id, (m) =>
      m.query(
        `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [
          tenant.id,
          email,
          passwordHash,
          role,
          fields.first_name ?? 'Test',
          fields.last_name ?? 'User',
          fields.status ?? 'active',
        ],
      ),
    )) as Array<{ id: string }>;
    return { id: user.id, email };
  }

  const login = (tenant: TenantEntity, email: string, password = PASSWORD) =>
    request(t.server).post('/api/auth/login').send({ tenant: tenant.slug, email, password });

  async function tokenOf(tenant: TenantEntity, user: Account): Promise<string> {
    const res = await login(tenant, user.email);
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  async function signedIn(tenant: TenantEntity, role: Role) {
    const user = await account(tenant, role);
    return { ...user, token: await tokenOf(tenant, user) };
  }

  async function ownerOfNewTenant() {
    const tenant = await make.tenant();
    return { tenant, owner: await signedIn(tenant, 'owner') };
  }

  const as = (token: string) => ({
    list: (query = '') => request(t.server).get(`/api/admin/users${query}`).set('authorization', `Bearer ${token}`),
    create: (body: object) =>
      request(t.server).post('/api/admin/users').set('authorization', `Bearer ${token}`).send(body),
    update: (id: string, body: object) =>
      request(t.server).patch(`/api/admin/users/${id}`).set('authorization', `Bearer ${token}`).send(body),
    remove: (id: string) => request(t.server).delete(`/api/admin/users/${id}`).set('authorization', `Bearer ${token}`),
  });

  /** Everything these routes could have written for a tenant. */
  function stateOf(tenantId: string) {
    return runInTenant(dataSource, tenantId, async (m) => ({
      users: await m.query(`SELECT * FROM users ORDER BY id`),
      refreshTokens: await m.query(`SELECT * FROM refresh_tokens ORDER BY id`),
      audit: await m.query(`SELECT action, target_id, before, after FROM audit_log ORDER BY occurred_at, id`),
    }));
  }

  async function refreshTokenOf(tenantId: string, userId: string, revoked = false): Promise<string> {
    const [row] = (await runInTenant(dataSource, tenantId, (m) =>
      m.query(
        `INSERT INTO refresh_tokens (tenant_id, user_id, family_id, token_hash, expires_at, revoked_at, revoked_reason)
         VALUES ($1, $2, $3, $4, now() + interval '7 days', $5, $6) RETURNING id`,
        [
          tenantId,
          userId,
          randomUUID(),
          'a'.repeat(64),
          revoked ? new Date('2020-01-01T00:00:00Z') : null,
          revoked ? 'logout' : null,
        ],
      ),
    )) as Array<{ id: string }>;
    return row.id;
  }

  const newStaff = (overrides: object = {}) => ({
    email: `sam-${Math.random().toString(36).slice(2)}@example.com`,
    role: 'staff',
    first_name: 'Sam',
    last_name: 'Jones',
    password: 'another long password',
    ...overrides,
  });

  describe('listing', () => {
    it('lists staff, admins and owners of the tenant only, newest first, page by page', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const other = await ownerOfNewTenant();
      await account(other.tenant, 'staff');
      await account(tenant, 'customer');
      const staff: Account[] = [];
      for (const role of ['staff', 'admin', 'staff', 'owner', 'admin'] as const)
        staff.push(await account(tenant, role));
      await account(tenant, 'staff', { status: 'deleted' });
      const disabled = await account(tenant, 'staff', { status: 'disabled' });

      const seen: Array<{ id: string; role: string; status: string }> = [];
      let cursor: string | null = null;
      do {
        const res = await as(owner.token).list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.data);
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(seen.map((user) => user.id)).toEqual([disabled.id, ...staff.map((user) => user.id).reverse(), owner.id]);
      expect(Object.keys(seen[0]).sort()).toEqual(
        [
          'created_at',
          'email',
          'first_name',
          'id',
          'last_login_at',
          'last_name',
          'mfa_enabled',
          'role',
          'status',
          'updated_at',
        ].sort(),
      );
      expect(JSON.stringify(seen)).not.toContain('$argon2');

      const admins = await as(owner.token).list('?role=admin');
      expect(admins.body.data.map((user: Account) => user.id)).toEqual([staff[4].id, staff[1].id]);
      const deleted = await as(owner.token).list('?status=deleted');
      expect(deleted.body.data).toHaveLength(1);
    });

    it('searches e-mail and names in any case, taking % and _ literally', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const ada = await account(tenant, 'staff', {
        email: 'ada@lovelace.test',
        first_name: 'Ada',
        last_name: 'Lovelace',
      });
      const grace = await account(tenant, 'admin', {
        email: 'g.hopper@navy.test',
        first_name: 'Grace',
        last_name: 'Hopper',
      });
      await account(tenant, 'customer', { email: 'ada.customer@lovelace.test', first_name: 'Ada' });
      const ids = async (q: string) =>
        (await as(owner.token).list(`?q=${encodeURIComponent(q)}`)).body.data.map((user: Account) => user.id);
      expect(await ids('LOVELACE')).toEqual([ada.id]);
      expect(await ids('navy')).toEqual([grace.id]);
      expect(await ids('grace hop')).toEqual([grace.id]);
      expect(await ids('%')).toEqual([]);
      expect(await ids('_')).toEqual([]);
      const bad = await as(owner.token).list('?role=customer');
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'role', message: expect.any(String) }]);
    });
  });

  describe('creating', () => {
    it('creates a staff account that can sign in, audited without its password', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const body = newStaff({ role: 'admin' });
      const res = await as(owner.token).create(body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        email: body.email,
        role: 'admin',
        first_name: 'Sam',
        last_name: 'Jones',
        status: 'active',
        mfa_enabled: false,
        last_login_at: null,
      });
      expect(res.body.password).toBeUndefined();
      expect(res.body.password_hash).toBeUndefined();

      const signedInAs = await login(tenant, body.email, body.password);
      expect(signedInAs.status).toBe(200);
      const me = await request(t.server)
        .get('/api/auth/user')
        .set('authorization', `Bearer ${signedInAs.body.access_token}`);
      expect(me.body).toMatchObject({ id: res.body.id, role: 'admin' });

      const { audit } = await stateOf(tenant.id);
      expect(audit).toEqual([
        {
          action: 'user.created',
          target_id: res.body.id,
          before: null,
          after: { email: body.email, role: 'admin', first_name: 'Sam', last_name: 'Jones', status: 'active' },
        },
      ]);
      expect(JSON.stringify(audit)).not.toContain(body.password);
      expect(JSON.stringify(audit)).not.toContain('argon2');
    });

    it('lets an owner create another owner', async () => {
      const { owner } = await ownerOfNewTenant();
      const res = await as(owner.token).create(newStaff({ role: 'owner' }));
      expect(res.status).toBe(201);
      expect(res.body.role).toBe('owner');
    });

    it.each([
      [{ password: 'short' }, 'password'],
      [{ email: 'samuel.jones@example.com', password: 'samuel.jones' }, 'password'],
      [{ role: 'customer' }, 'role'],
      [{ role: 'super_admin' }, 'role'],
      [{ email: 'not an e-mail' }, 'email'],
      [{ first_name: '' }, 'first_name'],
      [{ tenant_id: '00000000-0000-4000-8000-000000000000' }, 'tenant_id'],
    ])('refuses %j with 400 on the field and writes nothing', async (overrides, field) => {
      const { tenant, owner } = await ownerOfNewTenant();
      const before = await stateOf(tenant.id);
      const res = await as(owner.token).create(newStaff(overrides));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
      expect(await stateOf(tenant.id)).toEqual(before);
    });

    it('refuses an e-mail already taken in the tenant, in any case, by a customer or a disabled account too, with 409 email_taken', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const staff = await account(tenant, 'staff', { email: 'taken@example.com' });
      const customer = await account(tenant, 'customer', { email: 'customer@example.com' });
      await account(tenant, 'staff', { email: 'disabled@example.com', status: 'disabled' });
      const before = await stateOf(tenant.id);
      for (const email of [staff.email.toUpperCase(), 'Customer@Example.com', 'Disabled@example.com']) {
        const res = await as(owner.token).create(newStaff({ email }));
        expect(res.status).toBe(409);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'email_taken', status: 409 });
        expect(res.body.errors).toEqual([{ field: 'email', message: expect.any(String) }]);
      }
      expect(await stateOf(tenant.id)).toEqual(before);
      expect(customer.id).toBeDefined();

      const elsewhere = await ownerOfNewTenant();
      expect((await as(elsewhere.owner.token).create(newStaff({ email: 'taken@example.com' }))).status).toBe(201);
    });
  });

  describe('who may manage accounts', () => {
    it.each(['staff', 'admin'] as const)(
      'refuses a %s creating an owner (or anything else) with 403, writing nothing',
      async (role) => {
        const { tenant } = await ownerOfNewTenant();
        const caller = await signedIn(tenant, role);
        const target = await account(tenant, 'staff');
        const before = await stateOf(tenant.id);
        for (const res of [
          await as(caller.token).create(newStaff({ role: 'owner' })),
          await as(caller.token).create(newStaff({ role: 'staff' })),
          await as(caller.token).list(),
          await as(caller.token).update(target.id, { role: 'owner' }),
          await as(caller.token).update(caller.id, { role: 'owner' }),
          await as(caller.token).remove(target.id),
        ]) {
          expect(res.status).toBe(403);
          expect(res.body.code).toBe('insufficient_role');
        }
        expect(await stateOf(tenant.id)).toEqual(before);
      },
    );

    it('refuses customers, API keys and anonymous callers', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const customer = await signedIn(tenant, 'customer');
      const key = await request(t.server)
        .post('/api/admin/api-keys')
        .set('authorization', `Bearer ${owner.token}`)
        .send({ name: 'k', scopes: ['customers:read', 'customers:write'] });
      expect(key.status).toBe(201);
      const before = await stateOf(tenant.id);
      expect((await as(customer.token).create(newStaff())).status).toBe(403);
      expect((await as(key.body.secret).create(newStaff())).status).toBe(403);
      expect((await as(key.body.secret).list()).status).toBe(403);
      expect((await request(t.server).post('/api/admin/users').send(newStaff())).status).toBe(401);
      expect(await stateOf(tenant.id)).toEqual(before);
    });
  });

  describe('updating', () => {
    it('changes role, names and status, audits before and after, and ends a disabled account’s sessions', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const staff = await account(tenant, 'staff', { first_name: 'Sam', last_name: 'Jones' });
      const staffToken = await tokenOf(tenant, staff);
      const liveToken = await refreshTokenOf(tenant.id, staff.id);

      const promoted = await as(owner.token).update(staff.id, { role: 'admin', last_name: 'Smith' });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({
        id: staff.id,
        role: 'admin',
        first_name: 'Sam',
        last_name: 'Smith',
        status: 'active',
      });
      // The role comes from the database on each request, so the same token is now an admin's.
      expect(
        (await request(t.server).get('/api/admin/api-keys').set('authorization', `Bearer ${staffToken}`)).status,
      ).toBe(200);

      const disabled = await as(owner.token).update(staff.id, { status: 'disabled' });
      expect(disabled.status).toBe(200);
      expect(disabled.body.status).toBe('disabled');
      expect((await request(t.server).get('/api/auth/user').set('authorization', `Bearer ${staffToken}`)).status).toBe(
        401,
      );
      expect((await login(tenant, staff.email)).status).toBe(401);

      const { audit, refreshTokens } = await stateOf(tenant.id);
      // Only the account changes: the refused sign-in above may be audited too, as auth.*.
      expect(audit.filter((entry: { action: string }) => entry.action.startsWith('user.'))).toEqual([
        {
          action: 'user.updated',
          target_id: staff.id,
          before: { email: staff.email, role: 'staff', first_name: 'Sam', last_name: 'Jones', status: 'active' },
          after: { email: staff.email, role: 'admin', first_name: 'Sam', last_name: 'Smith', status: 'active' },
        },
        {
          action: 'user.updated',
          target_id: staff.id,
          before: { email: staff.email, role: 'admin', first_name: 'Sam', last_name: 'Smith', status: 'active' },
          after: { email: staff.email, role: 'admin', first_name: 'Sam', last_name: 'Smith', status: 'disabled' },
        },
      ]);
      expect(refreshTokens.find((row: { id: string }) => row.id === liveToken)).toMatchObject({
        revoked_at: expect.any(Date),
        revoked_reason: 'user_disabled',
      });

      const enabled = await as(owner.token).update(staff.id, { status: 'active' });
      expect(enabled.body.status).toBe('active');
      expect((await login(tenant, staff.email)).status).toBe(200);
    });

    it('writes nothing when nothing changes', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const staff = await account(tenant, 'staff');
      const before = await stateOf(tenant.id);
      const res = await as(owner.token).update(staff.id, { role: 'staff' });
      expect(res.status).toBe(200);
      expect(await stateOf(tenant.id)).toEqual(before);
    });

    it.each([
      [{ status: 'deleted' }, 'status'],
      [{ role: 'customer' }, 'role'],
      [{ email: 'new@example.com' }, 'email'],
      [{ password: 'a brand new password' }, 'password'],
      [{ last_name: '' }, 'last_name'],
    ])('refuses %j with 400 on the field and changes nothing', async (body, field) => {
      const { tenant, owner } = await ownerOfNewTenant();
      const staff = await account(tenant, 'staff');
      const before = await stateOf(tenant.id);
      const res = await as(owner.token).update(staff.id, body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
      expect(await stateOf(tenant.id)).toEqual(before);
    });
  });

  describe('accounts out of reach', () => {
    it('answers 404 for customers, deleted accounts, other tenants’ users and unknown ids, changing nothing', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const other = await ownerOfNewTenant();
      const customer = await account(tenant, 'customer');
      const deleted = await account(tenant, 'staff', { status: 'deleted' });
      const foreign = await account(other.tenant, 'staff');
      const before = await stateOf(tenant.id);
      const foreignBefore = await stateOf(other.tenant.id);
      for (const id of [customer.id, deleted.id, foreign.id, other.owner.id, randomUUID(), 'not-a-uuid']) {
        for (const res of [await as(owner.token).update(id, { first_name: 'X' }), await as(owner.token).remove(id)]) {
          expect(res.status).toBe(404);
          expect(res.body.code).toBe('not_found');
        }
      }
      expect(await stateOf(tenant.id)).toEqual(before);
      expect(await stateOf(other.tenant.id)).toEqual(foreignBefore);
    });
  });

  describe('deleting', () => {
    it('soft-deletes the account, revokes its refresh tokens and audits it', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const staff = await account(tenant, 'admin');
      const staffToken = await tokenOf(tenant, staff);
      const live = [await refreshTokenOf(tenant.id, staff.id), await refreshTokenOf(tenant.id, staff.id)];
      const alreadyRevoked = await refreshTokenOf(tenant.id, staff.id, true);
      const ownersToken = await refreshTokenOf(tenant.id, owner.id);

      const res = await as(owner.token).remove(staff.id);
      expect(res.status).toBe(204);

      const { users, refreshTokens, audit } = await stateOf(tenant.id);
      expect(users.find((user: { id: string }) => user.id === staff.id).status).toBe('deleted');
      const byId = new Map(refreshTokens.map((row: { id: string }) => [row.id, row]));
      for (const id of live)
        expect(byId.get(id)).toMatchObject({ revoked_at: expect.any(Date), revoked_reason: 'user_deleted' });
      expect(byId.get(alreadyRevoked)).toMatchObject({
        revoked_at: new Date('2020-01-01T00:00:00Z'),
        revoked_reason: 'logout',
      });
      expect(byId.get(ownersToken)).toMatchObject({ revoked_at: null });
      expect(audit).toEqual([
        {
          action: 'user.deleted',
          target_id: staff.id,
          before: expect.objectContaining({ email: staff.email, role: 'admin', status: 'active' }),
          after: expect.objectContaining({ email: staff.email, role: 'admin', status: 'deleted' }),
        },
      ]);

      expect((await login(tenant, staff.email)).status).toBe(401);
      expect((await request(t.server).get('/api/auth/user').set('authorization', `Bearer ${staffToken}`)).status).toBe(
        401,
      );
      expect((await as(owner.token).list()).body.data.map((user: Account) => user.id)).toEqual([owner.id]);
      expect((await as(owner.token).remove(staff.id)).status).toBe(404);
    });
  });

  describe('a deleted account’s e-mail', () => {
    const me = (token: string) => request(t.server).get('/api/auth/user').set('authorization', `Bearer ${token}`);

    it('is free for a new account, which signs in; the deleted one stays listed as deleted, its tokens dead', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const body = newStaff({ role: 'admin' });
      const first = await as(owner.token).create(body);
      expect(first.status).toBe(201);
      const firstSession = await login(tenant, body.email, body.password);
      expect(firstSession.status).toBe(200);
      expect((await as(owner.token).remove(first.body.id)).status).toBe(204);

      // Same password too: only the account's status tells the two apart at sign-in.
      const again = await as(owner.token).create({ ...body, email: body.email.toUpperCase(), role: 'staff' });
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({ email: body.email.toUpperCase(), role: 'staff', status: 'active' });
      expect(again.body.id).not.toBe(first.body.id);

      const session = await login(tenant, body.email, body.password);
      expect(session.status).toBe(200);
      expect((await me(session.body.access_token)).body).toMatchObject({ id: again.body.id, role: 'staff' });

      expect((await me(firstSession.body.access_token)).status).toBe(401);
      const refreshed = await request(t.server)
        .post('/api/auth/refresh')
        .send({ refresh_token: firstSession.body.refresh_token });
      expect(refreshed.status).toBe(401);

      const deleted = await as(owner.token).list('?status=deleted');
      expect(deleted.body.data).toEqual([
        expect.objectContaining({ id: first.body.id, email: body.email, role: 'admin', status: 'deleted' }),
      ]);
      expect((await as(owner.token).list()).body.data.map((user: Account) => user.id)).toEqual([
        again.body.id,
        owner.id,
      ]);
      const { users, audit } = await stateOf(tenant.id);
      expect(users.filter((user: Account) => user.email.toLowerCase() === body.email)).toHaveLength(2);
      expect(
        audit
          .filter((entry: { action: string }) => entry.action.startsWith('user.'))
          .map((entry: { action: string; target_id: string }) => [entry.action, entry.target_id]),
      ).toEqual([
        ['user.created', first.body.id],
        ['user.deleted', first.body.id],
        ['user.created', again.body.id],
      ]);
    });

    it('still refuses a second live account with it, 409 on the field, writing nothing', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const email = `again-${Math.random().toString(36).slice(2)}@example.com`;
      await account(tenant, 'staff', { email, status: 'deleted' });
      expect((await as(owner.token).create(newStaff({ email }))).status).toBe(201);
      const before = await stateOf(tenant.id);
      const refused = await as(owner.token).create(newStaff({ email: email.toUpperCase() }));
      expect(refused.status).toBe(409);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({
        code: 'email_taken',
        errors: [{ field: 'email', message: expect.any(String) }],
      });
      expect(await stateOf(tenant.id)).toEqual(before);
    });

    it('goes to exactly one of two simultaneous creates: one 201, one 409, one new row', async () => {
      for (let round = 0; round < 3; round++) {
        const { tenant, owner } = await ownerOfNewTenant();
        const email = `twice-${round}-${Math.random().toString(36).slice(2)}@example.com`;
        const gone = await account(tenant, 'staff', { email, status: 'deleted' });
        const answers = await Promise.all([
          as(owner.token).create(newStaff({ email })),
          as(owner.token).create(newStaff({ email: email.toUpperCase() })),
        ]);
        expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
        const created = answers.find((res) => res.status === 201)!;
        expect(answers.find((res) => res.status === 409)!.body.code).toBe('email_taken');
        const rows = await runInTenant(dataSource, tenant.id, (m) =>
          m.query(`SELECT id, status FROM users WHERE email = $1 ORDER BY created_at`, [email]),
        );
        expect(rows).toEqual([
          { id: gone.id, status: 'deleted' },
          { id: created.body.id, status: 'active' },
        ]);
        const audit = await runInTenant(dataSource, tenant.id, (m) => m.query(`SELECT action FROM audit_log`));
        expect(audit).toEqual([{ action: 'user.created' }]);
      }
    });

    it('is free for a customer’s sign-up, and sign-in finds the customer, not the deleted account', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const staff = await account(tenant, 'staff');
      expect((await as(owner.token).remove(staff.id)).status).toBe(204);
      const registered = await request(t.server)
        .post('/api/auth/register')
        .send({ tenant: tenant.slug, email: staff.email, password: PASSWORD, first_name: 'Ann', last_name: 'Lee' });
      expect(registered.status).toBe(201);
      const session = await login(tenant, staff.email);
      expect(session.status).toBe(200);
      expect((await me(session.body.access_token)).body).toMatchObject({ id: registered.body.id, role: 'customer' });
    });

    it('signs nobody in when only the deleted account has it', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const staff = await account(tenant, 'staff');
      expect((await as(owner.token).remove(staff.id)).status).toBe(204);
      const refused = await login(tenant, staff.email);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('invalid_credentials');
    });
  });

  describe('the last active owner', () => {
    it.each([
      ['demoting', (api: ReturnType<typeof as>, id: string) => api.update(id, { role: 'admin' })],
      ['disabling', (api: ReturnType<typeof as>, id: string) => api.update(id, { status: 'disabled' })],
      ['deleting', (api: ReturnType<typeof as>, id: string) => api.remove(id)],
    ])('cannot be removed by %s: 409 last_owner, nothing changed', async (_name, act) => {
      const { tenant, owner } = await ownerOfNewTenant();
      // A disabled owner does not count as an owner who could take over.
      await account(tenant, 'owner', { status: 'disabled' });
      const before = await stateOf(tenant.id);
      const res = await act(as(owner.token), owner.id);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('last_owner');
      expect(await stateOf(tenant.id)).toEqual(before);
    });

    it('can step down once another owner is active', async () => {
      const { tenant, owner } = await ownerOfNewTenant();
      const second = await account(tenant, 'owner');
      const res = await as(owner.token).update(owner.id, { role: 'admin' });
      expect(res.status).toBe(200);
      expect(res.body.role).toBe('admin');
      const secondToken = await tokenOf(tenant, second);
      const refused = await as(secondToken).remove(second.id);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('last_owner');
    });

    it('survives two owners demoting each other at the same moment', async () => {
      // Straight to the service, so that both changes reach the database together (over HTTP the
      // guard may already see the loser demoted and answer 403 before any lock is taken).
      const staffUsers = t.app.get(StaffUsersService);
      for (let round = 0; round < 5; round++) {
        const { tenant, owner } = await ownerOfNewTenant();
        const second = await account(tenant, 'owner');
        const callerFor = (userId: string) => ({
          actor: { kind: 'user' as const, userId, tenantId: tenant.id, role: 'owner' as const },
          ip: null,
          requestId: null,
        });
        const outcomes = await Promise.allSettled([
          staffUsers.update(callerFor(owner.id), second.id, { role: 'staff' }),
          staffUsers.update(callerFor(second.id), owner.id, { role: 'staff' }),
        ]);
        expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
        const refusal = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
        expect(refusal.reason).toMatchObject({ status: 409, code: 'last_owner' });
        const owners = await runInTenant(dataSource, tenant.id, (m) =>
          m.query(`SELECT id FROM users WHERE role = 'owner' AND status = 'active'`),
        );
        expect(owners).toHaveLength(1);
        const audit = await runInTenant(dataSource, tenant.id, (m) => m.query(`SELECT action FROM audit_log`));
        expect(audit).toEqual([{ action: 'user.updated' }]);
      }
    });
  });

  it('is documented in the OpenAPI document', async () => {
    const res = await request(t.server).get('/docs-json');
    expect(Object.keys(res.body.paths['/api/admin/users']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(res.body.paths['/api/admin/users/{id}']).sort()).toEqual(['delete', 'patch']);
    const schemas = res.body.components.schemas;
    expect(schemas.CreateStaffUserDto.required).toEqual(
      expect.arrayContaining(['email', 'role', 'first_name', 'last_name', 'password']),
    );
    expect(schemas.UpdateStaffUserDto.properties.status.enum).toEqual(['active', 'disabled']);
    expect(schemas.StaffUserDto.properties.password_hash).toBeUndefined();
  });
});
