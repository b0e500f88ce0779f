import { randomUUID } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { gamificationFixtures } from './gamification-fixtures';

const DAY = 86_400_000;

describe('achievements: criteria, unlocking once, progress, points', () => {
  let t: TestApp;
  let fx: ReturnType<typeof gamificationFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = gamificationFixtures(t);
  });
  afterAll(async () => t?.close());

  const myBadges = async (token: string) => {
    const res = await fx.get(token, '/api/achievements');
    expect(res.status).toBe(200);
    return res.body.data as Array<Record<string, unknown> & { id: string }>;
  };

  describe('administration', () => {
    it('creates, reads, changes and retires achievements, each change audited', async () => {
      const { tenant, admin } = await fx.community();
      const created = await fx.post(admin, '/api/admin/achievements', {
        name: 'Regular',
        description: 'Five purchases.',
        criteria: { type: 'activity_count', activity_type: 'purchase', count: 5 },
        points: 50,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'Regular',
        criteria: { type: 'activity_count', activity_type: 'purchase', count: 5 },
        points: 50,
        active: true,
        unlocked_count: 0,
      });
      const id = created.body.id as string;

      expect((await fx.get(admin, `/api/admin/achievements/${id}`)).body.name).toBe('Regular');
      const changed = await fx.patch(admin, `/api/admin/achievements/${id}`, {
        criteria: { type: 'distinct_locations', count: 3 },
        points: 0,
      });
      expect(changed.status).toBe(200);
      expect(changed.body.criteria).toEqual({ type: 'distinct_locations', activity_type: 'check_in', count: 3 });

      const list = await fx.get(admin, '/api/admin/achievements');
      expect(list.body.data.map((row: { id: string }) => row.id)).toEqual([id]);
      expect((await fx.del(admin, `/api/admin/achievements/${id}`)).status).toBe(204);
      expect((await fx.get(admin, `/api/admin/achievements/${id}`)).status).toBe(404);
      expect((await fx.get(admin, '/api/admin/achievements')).body.data).toEqual([]);
      expect(await fx.auditActions(tenant.id)).toEqual([
        'achievement.created',
        'achievement.updated',
        'achievement.deleted',
      ]);
    });

    it('refuses criteria that can never be met with a 400 naming the field, and writes nothing', async () => {
      const { tenant, admin } = await fx.community();
      const refusals: Array<[object, string]> = [
        [{ type: 'activity_count', activity_type: 'teleport', count: 5 }, 'criteria.activity_type'],
        [{ type: 'activity_count', activity_type: 'purchase', count: 0 }, 'criteria.count'],
        [{ type: 'points_total', points: 0 }, 'criteria.points'],
        [{ type: 'streak', activity_type: 'check_in', unit: 'month', count: 3 }, 'criteria.unit'],
        [{ type: 'tier_reached', tier_id: randomUUID() }, 'criteria.tier_id'],
        [{ type: 'nonsense' }, 'criteria.type'],
      ];
      for (const [criteria, field] of refusals) {
        const res = await fx.post(admin, '/api/admin/achievements', { name: 'Impossible', criteria });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('validation_failed');
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      const id = await fx.achievement(admin, { type: 'events_attended', count: 2 });
      const patched = await fx.patch(admin, `/api/admin/achievements/${id}`, {
        criteria: { type: 'events_attended', count: 0 },
      });
      expect(patched.status).toBe(400);
      expect(patched.body.errors[0].field).toBe('criteria.count');

      const rows = await fx.inTenant<Array<{ criteria: unknown }>>(tenant.id, `SELECT criteria FROM achievements`);
      expect(rows).toEqual([{ criteria: { type: 'events_attended', count: 2 } }]);
      expect(await fx.auditActions(tenant.id)).toEqual(['achievement.created']);
    });

    it('is for admins only', async () => {
      const { tenant } = await fx.community();
      const staff = await fx.staffToken(tenant, 'staff');
      const [member] = await fx.members(tenant, ['Ann']);
      expect((await fx.get(staff, '/api/admin/achievements')).status).toBe(403);
      expect((await fx.get(member.token, '/api/admin/achievements')).status).toBe(403);
    });
  });

  describe('unlocking', () => {
    it('unlocks an activity count exactly once, with its points in the ledger and one outbox event', async () => {
      const { tenant, programId, admin } = await fx.community();
      await fx.rule(tenant.id, programId, 'purchase', 10);
      const [ann] = await fx.members(tenant, ['Ann']);
      const id = await fx.achievement(
        admin,
        { type: 'activity_count', activity_type: 'purchase', count: 3 },
        { points: 50 },
      );

      await fx.recorded(admin, ann.id, 'purchase');
      await fx.recorded(admin, ann.id, 'purchase');
      let [badge] = await myBadges(ann.token);
      expect(badge).toMatchObject({ id, unlocked: false, unlocked_at: null, progress: { current: 2, target: 3 } });

      const third = await fx.recorded(admin, ann.id, 'purchase');
      // The response of the activity that unlocked it already counts the badge's points.
      expect(third.balance).toBe(30 + 50);
      await fx.recorded(admin, ann.id, 'purchase');

      [badge] = await myBadges(ann.token);
      expect(badge).toMatchObject({
        unlocked: true,
        unlocked_at: expect.any(String),
        progress: { current: 3, target: 3 },
      });
      const ledger = await fx.ledgerOf(tenant.id, ann.id);
      expect(ledger).toMatchObject({ balance: 40 + 50, ledger: 40 + 50 });
      const bonus = await fx.inTenant<Array<{ type: string; points: number; reference: string; reason: string }>>(
        tenant.id,
        `SELECT type, points::int, reference, reason FROM point_transactions WHERE reference LIKE 'achievement:%'`,
      );
      expect(bonus).toEqual([
        { type: 'earn', points: 50, reference: `achievement:${id}`, reason: expect.stringContaining('Achievement') },
      ]);
      const events = await fx.outbox(tenant.id, 'achievement.unlocked');
      expect(events).toHaveLength(1);
      expect(events[0].payload).toMatchObject({ achievement_id: id, customer_id: ann.id, points: 50 });
      expect((await fx.get(admin, `/api/admin/achievements/${id}`)).body.unlocked_count).toBe(1);
    });

    it('unlocks once under 20 concurrent activities of one customer, and the unique key refuses a second row', async () => {
      const { tenant, programId, admin } = await fx.community();
      await fx.rule(tenant.id, programId, 'purchase', 10);
      const [ann] = await fx.members(tenant, ['Ann']);
      const id = await fx.achievement(
        admin,
        { type: 'activity_count', activity_type: 'purchase', count: 5 },
        { points: 100 },
      );
      const pointsId = await fx.achievement(admin, { type: 'points_total', points: 150 }, { points: 1 });

      const responses = await Promise.all(Array.from({ length: 20 }, () => fx.activity(admin, ann.id, 'purchase')));
      expect(responses.map((res) => res.status)).toEqual(Array(20).fill(201));

      const unlocked = await fx.inTenant<Array<{ achievement_id: string; n: number }>>(
        tenant.id,
        `SELECT achievement_id, count(*)::int AS n FROM customer_achievements GROUP BY achievement_id ORDER BY n`,
      );
      expect(unlocked.sort((a, b) => a.achievement_id.localeCompare(b.achievement_id))).toEqual(
        [
          { achievement_id: id, n: 1 },
          { achievement_id: pointsId, n: 1 },
        ].sort((a, b) => a.achievement_id.localeCompare(b.achievement_id)),
      );
      expect(await fx.outbox(tenant.id, 'achievement.unlocked')).toHaveLength(2);
      const ledger = await fx.ledgerOf(tenant.id, ann.id);
      expect(ledger).toMatchObject({ balance: 200 + 100 + 1, ledger: 200 + 100 + 1 });

      await expect(
        fx.inTenant(
          tenant.id,
          `INSERT INTO customer_achievements (tenant_id, achievement_id, customer_id) VALUES ($1, $2, $3)`,
          [tenant.id, id, ann.id],
        ),
      ).rejects.toThrow(/customer_achievements_achievement_customer_key/);
    });

    it('unlocks on points total, distinct locations and events attended', async () => {
      const { tenant, programId, admin } = await fx.community();
      await fx.rule(tenant.id, programId, 'purchase', 400);
      const [ann] = await fx.members(tenant, ['Ann']);
      const points = await fx.achievement(admin, { type: 'points_total', points: 1000 });
      const explorer = await fx.achievement(admin, { type: 'distinct_locations', count: 3 });
      const events = await fx.achievement(admin, { type: 'events_attended', count: 2 });
      const [a, b, c] = [
        await fx.location(tenant.id, 'A'),
        await fx.location(tenant.id, 'B'),
        await fx.location(tenant.id, 'C'),
      ];

      for (let i = 0; i < 3; i++) await fx.recorded(admin, ann.id, 'purchase');
      for (const locationId of [a, b, a, b]) await fx.recorded(admin, ann.id, 'check_in', { location_id: locationId });
      const eventA = randomUUID();
      await fx.recorded(admin, ann.id, 'event_attendance', { reference: eventA });
      await fx.recorded(admin, ann.id, 'event_attendance', { reference: eventA });

      const progress = Object.fromEntries((await myBadges(ann.token)).map((badge) => [badge.id, badge]));
      expect(progress[points]).toMatchObject({ unlocked: true });
      expect(progress[explorer]).toMatchObject({ unlocked: false, progress: { current: 2, target: 3 } });
      expect(progress[events]).toMatchObject({ unlocked: false, progress: { current: 1, target: 2 } });

      await fx.recorded(admin, ann.id, 'check_in', { location_id: c });
      await fx.recorded(admin, ann.id, 'event_attendance', { reference: randomUUID() });
      const after = Object.fromEntries((await myBadges(ann.token)).map((badge) => [badge.id, badge]));
      expect(after[explorer]).toMatchObject({ unlocked: true, progress: { current: 3, target: 3 } });
      expect(after[events]).toMatchObject({ unlocked: true });
    });

    it('counts streaks on the tenant’s local days, not UTC days', async () => {
      // Auckland is 12–13 hours ahead: 23:30 UTC is already the next local day.
      const { tenant, admin } = await fx.community('Pacific/Auckland');
      const [ann] = await fx.members(tenant, ['Ann']);
      const streak = await fx.achievement(admin, { type: 'streak', activity_type: 'check_in', unit: 'day', count: 3 });
      const utcMidnight = Math.floor(Date.now() / DAY) * DAY;
      const day = (daysAgo: number, hour: number, minute: number) =>
        new Date(utcMidnight - daysAgo * DAY + (hour * 60 + minute) * 60_000).toISOString();
      // UTC days d-10, d-8, d-8: no streak in UTC. Auckland days d-9, d-8, d-7: three in a row.
      await fx.recorded(admin, ann.id, 'check_in', { occurred_at: day(10, 23, 30) });
      await fx.recorded(admin, ann.id, 'check_in', { occurred_at: day(8, 0, 30) });
      let [badge] = await myBadges(ann.token);
      expect(badge).toMatchObject({ id: streak, unlocked: false, progress: { current: 2, target: 3 } });
      await fx.recorded(admin, ann.id, 'check_in', { occurred_at: day(8, 23, 30) });
      [badge] = await myBadges(ann.token);
      expect(badge).toMatchObject({ unlocked: true });
    });

    it('counts weekly streaks over ISO weeks', async () => {
      const { tenant, admin } = await fx.community();
      const [ann] = await fx.members(tenant, ['Ann']);
      await fx.achievement(admin, { type: 'streak', activity_type: 'purchase', unit: 'week', count: 2 });
      const lastWeek = new Date(Date.now() - 7 * DAY).toISOString();
      await fx.recorded(admin, ann.id, 'purchase', { occurred_at: lastWeek });
      await fx.recorded(admin, ann.id, 'purchase', { occurred_at: lastWeek });
      expect((await myBadges(ann.token))[0]).toMatchObject({ unlocked: false, progress: { current: 1, target: 2 } });
      await fx.recorded(admin, ann.id, 'purchase');
      expect((await myBadges(ann.token))[0]).toMatchObject({ unlocked: true });
    });

    it('unlocks when a tier is reached, in the activity that reached it', async () => {
      const { tenant, programId, admin } = await fx.community();
      await fx.rule(tenant.id, programId, 'purchase', 100);
      const [tier] = await fx.inTenant<Array<{ id: string }>>(
        tenant.id,
        `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold) VALUES ($1, $2, 'Gold', 1, 200) RETURNING id`,
        [tenant.id, programId],
      );
      const [ann] = await fx.members(tenant, ['Ann']);
      const gold = await fx.achievement(admin, { type: 'tier_reached', tier_id: tier.id }, { points: 5 });
      await fx.recorded(admin, ann.id, 'purchase');
      expect((await myBadges(ann.token))[0]).toMatchObject({
        id: gold,
        unlocked: false,
        progress: { current: 0, target: 1 },
      });
      await fx.recorded(admin, ann.id, 'purchase');
      expect((await myBadges(ann.token))[0]).toMatchObject({ unlocked: true });
      expect(await fx.ledgerOf(tenant.id, ann.id)).toMatchObject({ balance: 205, ledger: 205 });
    });

    it('lets a badge’s points unlock a points badge in the same activity', async () => {
      const { tenant, admin } = await fx.community();
      const [ann] = await fx.members(tenant, ['Ann']);
      await fx.achievement(admin, { type: 'activity_count', activity_type: 'signup', count: 1 }, { points: 100 });
      const rich = await fx.achievement(admin, { type: 'points_total', points: 100 });
      await fx.recorded(admin, ann.id, 'signup');
      const badges = Object.fromEntries((await myBadges(ann.token)).map((badge) => [badge.id, badge]));
      expect(badges[rich]).toMatchObject({ unlocked: true });
    });

    it('counts the points a refund’s own rules give towards points badges, as the same points from a purchase, never the refund itself', async () => {
      const { tenant, programId, admin } = await fx.community();
      await fx.rule(tenant.id, programId, 'purchase', 100);
      await fx.rule(tenant.id, programId, 'refund', 50);
      const [ann, bob] = await fx.members(tenant, ['Ann', 'Bob']);
      const rich = await fx.achievement(admin, { type: 'points_total', points: 150 }, { points: 10 });
      const refunder = await fx.achievement(admin, { type: 'activity_count', activity_type: 'refund', count: 1 });

      // Bob earns his 150th point with a second purchase; Ann with the goodwill of her refund.
      await fx.recorded(admin, bob.id, 'purchase');
      await fx.recorded(admin, bob.id, 'purchase');
      const annPurchase = await fx.recorded(admin, ann.id, 'purchase');
      const refund = await fx.activity(admin, ann.id, 'refund', { refund_of: annPurchase.activity_id });
      expect(refund.status).toBe(201);
      // 100 reversed, 50 of goodwill, and the badge's 10 in the very response that earned them.
      expect(refund.body).toMatchObject({ points_awarded: 50 - 100, balance: 50 + 10 });

      for (const member of [ann, bob]) {
        const badges = Object.fromEntries((await myBadges(member.token)).map((badge) => [badge.id, badge]));
        expect(badges[rich]).toMatchObject({ unlocked: true });
      }
      const annBadges = Object.fromEntries((await myBadges(ann.token)).map((badge) => [badge.id, badge]));
      expect(annBadges[refunder]).toMatchObject({ unlocked: false });
      const unlocked = await fx.outbox(tenant.id, 'achievement.unlocked');
      expect(unlocked.find((event) => event.aggregate_id === ann.id)?.payload).toMatchObject({
        achievement_id: rich,
        activity_id: refund.body.activity_id,
        points: 10,
      });
      expect(await fx.ledgerOf(tenant.id, ann.id)).toMatchObject({ balance: 60, ledger: 60 });
      // The badge's points are on the boards too: 100 earned, 100 taken back, 50 and 10 earned.
      expect((await fx.get(ann.token, '/api/leaderboards/all-time')).body.me.points).toBe(60);
    });

    it('lets the points a refund’s own rules give reach a tier, and the badge for it', async () => {
      const { tenant, programId, admin } = await fx.community();
      await fx.rule(tenant.id, programId, 'purchase', 100);
      await fx.rule(tenant.id, programId, 'refund', 50);
      const [tier] = await fx.inTenant<Array<{ id: string }>>(
        tenant.id,
        `INSERT INTO tiers (tenant_id, program_id, name, rank, threshold) VALUES ($1, $2, 'Gold', 1, 150) RETURNING id`,
        [tenant.id, programId],
      );
      const [ann] = await fx.members(tenant, ['Ann']);
      const gold = await fx.achievement(admin, { type: 'tier_reached', tier_id: tier.id });
      const purchase = await fx.recorded(admin, ann.id, 'purchase');
      expect((await myBadges(ann.token))[0]).toMatchObject({ id: gold, unlocked: false });

      const refund = await fx.activity(admin, ann.id, 'refund', { refund_of: purchase.activity_id, amount: 500 });
      expect(refund.status).toBe(201);
      expect(refund.body).toMatchObject({ points_awarded: 50 - 50, balance: 100, tier: { id: tier.id, name: 'Gold' } });
      expect((await myBadges(ann.token))[0]).toMatchObject({ unlocked: true });
      const changes = await fx.outbox(tenant.id, 'tier.changed');
      expect(changes.map((event) => event.payload)).toMatchObject([
        { customer_id: ann.id, to_tier: { id: tier.id }, direction: 'up', reason: 'earned' },
      ]);
    });

    it('neither shows nor unlocks an inactive achievement, and keeps badges when criteria change', async () => {
      const { tenant, admin } = await fx.community();
      const [ann] = await fx.members(tenant, ['Ann']);
      const hidden = await fx.achievement(
        admin,
        { type: 'activity_count', activity_type: 'survey', count: 1 },
        { active: false },
      );
      const shown = await fx.achievement(admin, { type: 'activity_count', activity_type: 'survey', count: 1 });
      await fx.recorded(admin, ann.id, 'survey');
      const badges = await myBadges(ann.token);
      expect(badges.map((badge) => badge.id)).toEqual([shown]);
      expect(badges[0].unlocked).toBe(true);
      await fx.patch(admin, `/api/admin/achievements/${shown}`, {
        criteria: { type: 'activity_count', activity_type: 'survey', count: 9 },
      });
      expect((await myBadges(ann.token))[0]).toMatchObject({ unlocked: true, progress: { current: 9, target: 9 } });
      const rows = await fx.inTenant<unknown[]>(
        tenant.id,
        `SELECT 1 FROM customer_achievements WHERE achievement_id = $1`,
        [hidden],
      );
      expect(rows).toEqual([]);
    });

    it('is part of the customer’s GDPR export', async () => {
      const { tenant, admin } = await fx.community();
      const [ann] = await fx.members(tenant, ['Ann']);
      const id = await fx.achievement(admin, { type: 'activity_count', activity_type: 'signup', count: 1 });
      await fx.recorded(admin, ann.id, 'signup');
      const res = await fx.get(admin, `/api/admin/customers/${ann.id}/export`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).toContain(id);
    });
  });
});
