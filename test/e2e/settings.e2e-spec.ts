import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { runInTenant, runWithoutTenant } from '../../src/database/tenant-transaction';
import { hashPassword } from '../../src/modules/accounts/passwords';
import { DEFAULT_SETTINGS } from '../../src/modules/tenants/tenant-settings';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { factories } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';
const unique = () => randomBytes(4).toString('hex');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
type Role = 'customer' | 'staff' | 'admin' | 'owner';

describe('tenant settings', () => {
  let t: TestApp;
  let dataSource: DataSource;
  let make: ReturnType<typeof factories>;

  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
    make = factories(dataSource);
  });
  afterAll(async () => t?.close());

  /** A member of the tenant with this role, created directly and signed in. */
  async function signedIn(tenant: TenantEntity, role: Role): Promise<string> {
    const email = `${role}-${unique()}@example.com`;
    const hash = await hashPassword(PASSWORD);
    await runInTenant(dataSource, tenant.id, (m) =>
      m.query(`INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, $2, $3, $4)`, [
        tenant.id,
        email,
        hash,
        role,
      ]),
    );
    const res = await request(t.server)
      .post('/api/auth/login')
      .send({ tenant: tenant.slug, email, password: PASSWORD });
    expect(res.status).toBe(200);
    return res.body.access_token;
  }

  const getSettings = (token: string) => request(t.server).get('/api/admin/settings').set(bearer(token));
  const patchSettings = (token: string, body: unknown) =>
    request(t.server)
      .patch('/api/admin/settings')
      .set(bearer(token))
      .send(body as object);
  const stored = async (tenantId: string) =>
    (
      (await runWithoutTenant(dataSource, (m) =>
        m.query(`SELECT settings FROM tenants WHERE id = $1`, [tenantId]),
      )) as Array<{ settings: unknown }>
    )[0].settings;
  const settingsAudit = (tenantId: string) =>
    runInTenant(dataSource, tenantId, (m) =>
      m.query(`SELECT before, after FROM audit_log WHERE action = 'settings.updated' ORDER BY occurred_at`),
    ) as Promise<Array<{ before: unknown; after: unknown }>>;

  it('answers the defaults for a tenant that set nothing', async () => {
    const tenant = await make.tenant();
    const res = await getSettings(await signedIn(tenant, 'admin'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DEFAULT_SETTINGS);
  });

  it('merges partial updates field by field and audits the changed sections', async () => {
    const tenant = await make.tenant();
    const admin = await signedIn(tenant, 'admin');

    const first = await patchSettings(admin, {
      loyalty: { time_zone: 'America/New_York' },
      branding: { display_name: 'Acme', primary_color: '#A1B2C3' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      ...DEFAULT_SETTINGS,
      loyalty: { time_zone: 'America/New_York', currency: 'USD' },
      branding: { ...DEFAULT_SETTINGS.branding, display_name: 'Acme', primary_color: '#a1b2c3' },
    });

    const second = await patchSettings(admin, {
      loyalty: { currency: 'EUR' },
      security: { refresh_token_ttl_days: 7 },
      notifications: { reply_to: 'help@acme.example', email_enabled: false },
    });
    expect(second.status).toBe(200);
    expect(second.body.loyalty).toEqual({ time_zone: 'America/New_York', currency: 'EUR' });
    expect(second.body.security).toEqual({ mfa_required_for_admins: false, refresh_token_ttl_days: 7 });
    expect(second.body.branding.display_name).toBe('Acme');
    expect((await getSettings(admin)).body).toEqual(second.body);

    // Only what the tenant chose is stored; the defaults fill the rest when read.
    expect(await stored(tenant.id)).toEqual({
      loyalty: { time_zone: 'America/New_York', currency: 'EUR' },
      branding: { display_name: 'Acme', primary_color: '#a1b2c3' },
      security: { refresh_token_ttl_days: 7 },
      notifications: { reply_to: 'help@acme.example', email_enabled: false },
    });

    const audit = await request(t.server).get('/api/admin/audit-log?action=settings.updated').set(bearer(admin));
    expect(audit.status).toBe(200);
    expect(audit.body.data).toHaveLength(2);
    expect(audit.body.data[0]).toMatchObject({
      actor: { type: 'user', role: 'admin' },
      target: { type: 'tenant_settings', id: tenant.id },
      before: {
        loyalty: { time_zone: 'America/New_York', currency: 'USD' },
        // Only the section's presence: the audit redactor's key pattern (/token/) masks
        // refresh_token_ttl_days.
        security: expect.objectContaining({ mfa_required_for_admins: false }),
        notifications: DEFAULT_SETTINGS.notifications,
      },
      after: {
        loyalty: { time_zone: 'America/New_York', currency: 'EUR' },
        security: expect.objectContaining({ mfa_required_for_admins: false }),
        notifications: { email_enabled: false, sender_name: null, reply_to: 'help@acme.example' },
      },
    });
    expect(Object.keys(audit.body.data[0].after).sort()).toEqual(['loyalty', 'notifications', 'security']);
  });

  it('records nothing when a patch changes nothing', async () => {
    const tenant = await make.tenant();
    const owner = await signedIn(tenant, 'owner');
    const res = await patchSettings(owner, { loyalty: { currency: 'USD' }, branding: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DEFAULT_SETTINGS);
    expect(await settingsAudit(tenant.id)).toEqual([]);
  });

  it('refuses every bad field by its path, and writes nothing', async () => {
    const tenant = await make.tenant();
    const admin = await signedIn(tenant, 'admin');
    await patchSettings(admin, { loyalty: { currency: 'GBP' } });
    const before = await stored(tenant.id);
    const auditBefore = await settingsAudit(tenant.id);

    const res = await patchSettings(admin, {
      loyalty: { time_zone: 'Europe/Atlantis', currency: 'gbp' },
      branding: { primary_color: 'blue', logo_url: 'http://cdn.example.com/logo.png' },
      security: { refresh_token_ttl_days: 400, mfa_required_for_admins: 'yes' },
      notifications: { reply_to: 'nobody', email_enabled: 'false' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'branding.logo_url',
      'branding.primary_color',
      'loyalty.currency',
      'loyalty.time_zone',
      'notifications.email_enabled',
      'notifications.reply_to',
      'security.mfa_required_for_admins',
      'security.refresh_token_ttl_days',
    ]);
    for (const error of res.body.errors) expect(error.message).toEqual(expect.any(String));
    expect(await stored(tenant.id)).toEqual(before);
    expect(await settingsAudit(tenant.id)).toEqual(auditBefore);
  });

  it.each([
    ['an unknown section', { billing: { plan: 'gold' }, loyalty: { currency: 'EUR' } }, 'billing'],
    [
      'an unknown field',
      { security: { password_min_length: 4 }, loyalty: { currency: 'EUR' } },
      'security.password_min_length',
    ],
    ['a section that is not an object', { loyalty: 'UTC', branding: { display_name: 'Acme' } }, 'loyalty'],
  ])('refuses %s with a 400 naming it, applying not even the valid part', async (_name, body, field) => {
    const tenant = await make.tenant();
    const admin = await signedIn(tenant, 'admin');
    const res = await patchSettings(admin, body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(await stored(tenant.id)).toEqual({});
    expect(await settingsAudit(tenant.id)).toEqual([]);
  });

  it('is for admins and owners: customers and staff get 403 and change nothing', async () => {
    const tenant = await make.tenant();
    for (const role of ['customer', 'staff'] as const) {
      const token = await signedIn(tenant, role);
      const read = await getSettings(token);
      expect(read.status).toBe(403);
      expect(read.body.code).toBe('insufficient_role');
      const write = await patchSettings(token, { loyalty: { currency: 'EUR' } });
      expect(write.status).toBe(403);
    }
    expect((await request(t.server).get('/api/admin/settings')).status).toBe(401);
    expect(await stored(tenant.id)).toEqual({});
    expect(await settingsAudit(tenant.id)).toEqual([]);
    const owner = await signedIn(tenant, 'owner');
    expect((await getSettings(owner)).status).toBe(200);
  });

  it("changes only the caller's own tenant", async () => {
    const mine = await make.tenant();
    const theirs = await make.tenant();
    await patchSettings(await signedIn(mine, 'admin'), { loyalty: { currency: 'JPY' } });
    expect(await stored(theirs.id)).toEqual({});
    expect((await getSettings(await signedIn(theirs, 'admin'))).body.loyalty.currency).toBe('USD');
  });

  it('keeps every one of many concurrent patches to different fields', async () => {
    const tenant = await make.tenant();
    const admin = await signedIn(tenant, 'admin');
    const patches = [
      { branding: { display_name: 'Concurrent' } },
      { branding: { primary_color: '#111111' } },
      { branding: { secondary_color: '#222222' } },
      { loyalty: { currency: 'CHF' } },
      { loyalty: { time_zone: 'Asia/Tokyo' } },
      { security: { refresh_token_ttl_days: 14 } },
      { notifications: { sender_name: 'Acme' } },
      { notifications: { reply_to: 'hi@acme.example' } },
    ];
    const answers = await Promise.all(patches.map((patch) => patchSettings(admin, patch)));
    expect(answers.map((res) => res.status)).toEqual(patches.map(() => 200));
    const final = (await getSettings(admin)).body;
    expect(final).toMatchObject({
      branding: { display_name: 'Concurrent', primary_color: '#111111', secondary_color: '#222222' },
      loyalty: { currency: 'CHF', time_zone: 'Asia/Tokyo' },
      security: { refresh_token_ttl_days: 14 },
      notifications: { sender_name: 'Acme', reply_to: 'hi@acme.example' },
    });
    expect(await settingsAudit(tenant.id)).toHaveLength(patches.length);
  });
});
