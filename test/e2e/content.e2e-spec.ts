import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { gamificationFixtures } from './gamification-fixtures';

describe('access levels and exclusive content', () => {
  let t: TestApp;
  let fx: ReturnType<typeof gamificationFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = gamificationFixtures(t);
  });
  afterAll(async () => t?.close());

  /** A community with Silver (100) and Gold (500) tiers, a level for everyone, one for Silver+ and one for Gold. */
  async function setUp() {
    const { tenant, programId, admin } = await fx.community();
    await fx.rule(tenant.id, programId, 'purchase', 100);
    const [silver, gold] = await fx.inTenant<Array<{ id: string }>>(
      tenant.id,
      `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold)
       VALUES ($1, $2, 'Silver', 1, 100), ($1, $2, 'Gold', 2, 500) RETURNING id`,
      [tenant.id, programId],
    );
    const level = async (name: string, tierId: string | null) => {
      const res = await fx.post(admin, '/api/admin/access-levels', { name, tier_id: tierId });
      expect(res.status).toBe(201);
      return res.body as { id: string; name: string; tier_name: string | null };
    };
    const everyone = await level('Member', null);
    const insider = await level('Insider', silver.id);
    const vip = await level('VIP', gold.id);
    const item = async (title: string, levelId: string | null, extra: object = {}) => {
      const res = await fx.post(admin, '/api/admin/content', {
        title,
        body: `${title} body`,
        required_level_id: levelId,
        ...extra,
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const open = await item('Welcome', null);
    const members = await item('Newsletter', everyone.id);
    const insiders = await item('Behind the scenes', insider.id);
    const vips = await item('Founders’ dinner', vip.id, { body: null, url: 'https://example.com/dinner' });
    const draft = await item('Draft', null, { published: false });
    return { tenant, admin, levels: { everyone, insider, vip }, items: { open, members, insiders, vips, draft } };
  }

  const titles = async (token: string) => {
    const res = await fx.get(token, '/api/content');
    expect(res.status).toBe(200);
    return (res.body.data as Array<{ title: string }>).map((row) => row.title).sort();
  };

  it('maps levels from tiers and lists only what the caller can open', async () => {
    const { tenant, admin, levels, items } = await setUp();
    expect(levels.insider.tier_name).toBe('Silver');
    const [ann] = await fx.members(tenant, ['Ann']);

    expect(await titles(ann.token)).toEqual(['Newsletter', 'Welcome']);
    const locked = await fx.get(ann.token, `/api/content/${items.insiders}`);
    expect(locked.status).toBe(403);
    expect(locked.body).toMatchObject({
      code: 'access_level_required',
      required_level: { id: levels.insider.id, name: 'Insider' },
    });

    await fx.recorded(admin, ann.id, 'purchase'); // 100 points: Silver
    expect(await titles(ann.token)).toEqual(['Behind the scenes', 'Newsletter', 'Welcome']);
    const opened = await fx.get(ann.token, `/api/content/${items.insiders}`);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ title: 'Behind the scenes', body: 'Behind the scenes body' });
    expect((await fx.get(ann.token, `/api/content/${items.vips}`)).body.required_level.name).toBe('VIP');

    for (let i = 0; i < 4; i++) await fx.recorded(admin, ann.id, 'purchase'); // 500: Gold
    expect(await titles(ann.token)).toEqual(['Behind the scenes', 'Founders’ dinner', 'Newsletter', 'Welcome']);
    expect((await fx.get(ann.token, `/api/content/${items.vips}`)).body.url).toBe('https://example.com/dinner');
    // Unpublished content is for admins only.
    expect((await fx.get(ann.token, `/api/content/${items.draft}`)).status).toBe(404);
    expect((await fx.get(admin, `/api/admin/content/${items.draft}`)).status).toBe(200);
  });

  it('administers content with audited changes and refuses bad input without writing', async () => {
    const { tenant, admin, items, levels } = await setUp();
    const before = await fx.inTenant<unknown[]>(tenant.id, `SELECT * FROM content_items ORDER BY id`);
    const auditBefore = (await fx.auditActions(tenant.id)).length;
    const refusals: Array<[object, string]> = [
      [{ title: 'Empty' }, 'body'],
      [{ title: 'Lost', body: 'x', required_level_id: randomUUID() }, 'required_level_id'],
      [{ title: 'Bad link', url: 'ftp://example.com' }, 'url'],
      [{ title: '', body: 'x' }, 'title'],
    ];
    for (const [body, field] of refusals) {
      const res = await fx.post(admin, '/api/admin/content', body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    const cleared = await fx.patch(admin, `/api/admin/content/${items.open}`, { body: null });
    expect(cleared.status).toBe(400);
    const badLevel = await fx.post(admin, '/api/admin/access-levels', { name: 'Ghost', tier_id: randomUUID() });
    expect(badLevel.status).toBe(400);
    expect(badLevel.body.errors[0].field).toBe('tier_id');
    const duplicate = await fx.post(admin, '/api/admin/access-levels', { name: levels.vip.name });
    expect(duplicate.status).toBe(409);
    expect(await fx.inTenant<unknown[]>(tenant.id, `SELECT * FROM content_items ORDER BY id`)).toEqual(before);
    expect((await fx.auditActions(tenant.id)).length).toBe(auditBefore);

    const moved = await fx.patch(admin, `/api/admin/content/${items.open}`, { required_level_id: levels.vip.id });
    expect(moved.status).toBe(200);
    expect(moved.body.required_level).toEqual({ id: levels.vip.id, name: 'VIP' });
    expect((await fx.del(admin, `/api/admin/content/${items.members}`)).status).toBe(204);
    expect((await fx.get(admin, `/api/admin/content/${items.members}`)).status).toBe(404);
    const list = await fx.get(admin, '/api/admin/content');
    expect(list.body.data).toHaveLength(4);
    expect((await fx.get(admin, '/api/admin/access-levels')).body.data.map((l: { name: string }) => l.name)).toEqual([
      'Member',
      'Insider',
      'VIP',
    ]);
    expect((await fx.auditActions(tenant.id)).slice(-2)).toEqual(['content.updated', 'content.deleted']);
  });

  it('keeps customers and staff in their lanes', async () => {
    const { tenant, items } = await setUp();
    const staff = await fx.staffToken(tenant, 'staff');
    const [ann] = await fx.members(tenant, ['Ann']);
    expect((await fx.get(staff, '/api/admin/content')).status).toBe(403);
    expect((await fx.get(ann.token, `/api/admin/content/${items.open}`)).status).toBe(403);
    expect((await fx.get(staff, '/api/content')).status).toBe(403);
  });
});
