import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { QueueName } from '../../src/common/queue/queues';
import { ChallengeProgress, settleJobId } from '../../src/modules/gamification/challenge-progress.service';
import { startTestApp, TestApp } from '../support/test-app';
import { gamificationFixtures } from './gamification-fixtures';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('challenges: personal and community, time-boxed, joined or automatic', () => {
  let t: TestApp;
  let fx: ReturnType<typeof gamificationFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    fx = gamificationFixtures(t);
  });
  afterAll(async () => t?.close());

  const mine = async (token: string, id: string) => {
    const res = await fx.get(token, `/api/challenges/${id}`);
    expect(res.status).toBe(200);
    return res.body as Record<string, unknown>;
  };

  describe('administration', () => {
    it('creates, lists and changes challenges, audited', async () => {
      const { tenant, admin } = await fx.community();
      const id = await fx.challenge(admin, { name: 'Ten visits', points: 20 });
      const got = await fx.get(admin, `/api/admin/challenges/${id}`);
      expect(got.body).toMatchObject({
        name: 'Ten visits',
        kind: 'personal',
        join_mode: 'explicit',
        status: 'active',
        points: 20,
        participants: 0,
        community_progress: null,
      });
      const changed = await fx.patch(admin, `/api/admin/challenges/${id}`, { name: 'Ten visits!', points: 30 });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ name: 'Ten visits!', points: 30 });
      expect((await fx.get(admin, '/api/admin/challenges')).body.data.map((c: { id: string }) => c.id)).toEqual([id]);
      expect(await fx.auditActions(tenant.id)).toEqual(['challenge.created', 'challenge.updated']);
    });

    it('refuses goals that can never be reached and windows that end before they start, writing nothing', async () => {
      const { tenant, admin } = await fx.community();
      const base = {
        name: 'Bad',
        kind: 'personal',
        starts_at: new Date().toISOString(),
        ends_at: new Date(Date.now() + DAY).toISOString(),
      };
      const refusals: Array<[object, string]> = [
        [{ goal: { type: 'activity_count', activity_type: 'check_in', count: 0 } }, 'goal.count'],
        [{ goal: { type: 'activity_count', activity_type: 'levitation', count: 3 } }, 'goal.activity_type'],
        [{ goal: { type: 'activity_count', activity_type: 'challenge_completed', count: 3 } }, 'goal.activity_type'],
        [{ goal: { type: 'points_earned', points: 0 } }, 'goal.points'],
        [{ goal: { type: 'points_earned', points: 10 }, ends_at: new Date(Date.now() - DAY).toISOString() }, 'ends_at'],
        [{ goal: { type: 'points_earned', points: 10 }, kind: 'solo' }, 'kind'],
      ];
      for (const [body, field] of refusals) {
        const res = await fx.post(admin, '/api/admin/challenges', { ...base, ...body });
        expect(res.status).toBe(400);
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      expect(await fx.inTenant(tenant.id, `SELECT id FROM challenges`)).toEqual([]);
      expect(await fx.auditActions(tenant.id)).toEqual([]);
    });

    it('fixes kind and goal once the challenge has started', async () => {
      const { admin } = await fx.community();
      const id = await fx.challenge(admin, {});
      const res = await fx.patch(admin, `/api/admin/challenges/${id}`, {
        goal: { type: 'activity_count', activity_type: 'check_in', count: 1 },
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('challenge_started');
    });
  });

  describe('personal challenges', () => {
    it('counts from joining, completes at the goal once, firing challenge_completed rules and the bonus', async () => {
      const { tenant, programId, admin } = await fx.community();
      await fx.rule(tenant.id, programId, 'challenge_completed', 25);
      const [ann] = await fx.members(tenant, ['Ann']);
      const id = await fx.challenge(admin, { points: 40 });

      await fx.recorded(admin, ann.id, 'check_in');
      expect(await mine(ann.token, id)).toMatchObject({ joined: false, progress: { current: 0, target: 3 } });
      const joined = await fx.post(ann.token, `/api/challenges/${id}/join`);
      expect(joined.status).toBe(201);
      expect(joined.body).toMatchObject({ joined: true, status: 'active' });
      expect((await fx.post(ann.token, `/api/challenges/${id}/join`)).status).toBe(200);

      await fx.recorded(admin, ann.id, 'check_in');
      await fx.recorded(admin, ann.id, 'purchase');
      await fx.recorded(admin, ann.id, 'check_in');
      expect(await mine(ann.token, id)).toMatchObject({ progress: { current: 2, target: 3 }, completed_at: null });
      const done = await fx.recorded(admin, ann.id, 'check_in');
      expect(done.balance).toBe(25 + 40);
      await fx.recorded(admin, ann.id, 'check_in');

      expect(await mine(ann.token, id)).toMatchObject({
        progress: { current: 3, target: 3 },
        completed_at: expect.any(String),
      });
      const completions = await fx.inTenant<Array<{ type: string; reference: string; points_awarded: number }>>(
        tenant.id,
        `SELECT type, reference, points_awarded::int FROM activities WHERE type = 'challenge_completed'`,
      );
      expect(completions).toEqual([{ type: 'challenge_completed', reference: id, points_awarded: 25 }]);
      expect(await fx.ledgerOf(tenant.id, ann.id)).toMatchObject({ balance: 65, ledger: 65 });
      const events = await fx.outbox(tenant.id, 'challenge.completed');
      expect(events).toHaveLength(1);
      expect(events[0].payload).toMatchObject({ challenge_id: id, customer_id: ann.id, points_awarded: 65 });
    });

    it('counts only activities inside its time box', async () => {
      const { tenant, admin } = await fx.community();
      const [ann] = await fx.members(tenant, ['Ann']);
      const id = await fx.challenge(admin, {
        join_mode: 'automatic',
        starts_at: new Date(Date.now() - 3 * HOUR).toISOString(),
        ends_at: new Date(Date.now() - HOUR).toISOString(),
      });
      await fx.recorded(admin, ann.id, 'check_in', { occurred_at: new Date(Date.now() - 4 * HOUR).toISOString() });
      await fx.recorded(admin, ann.id, 'check_in');
      await fx.recorded(admin, ann.id, 'check_in', { occurred_at: new Date(Date.now() - 2 * HOUR).toISOString() });
      expect(await mine(ann.token, id)).toMatchObject({ status: 'ended', progress: { current: 1, target: 3 } });

      const [bob] = await fx.members(tenant, ['Bob']);
      const late = await fx.post(bob.token, `/api/challenges/${id}/join`);
      expect(late.status).toBe(422);
      expect(late.body.code).toBe('challenge_ended');
    });

    it('joins customers automatically on their first contribution', async () => {
      const { tenant, programId, admin } = await fx.community();
      const [ann, bob] = await fx.members(tenant, ['Ann', 'Bob']);
      const id = await fx.challenge(admin, { join_mode: 'automatic', goal: { type: 'points_earned', points: 1 } });
      await fx.rule(tenant.id, programId, 'purchase', 5);
      await fx.recorded(admin, ann.id, 'purchase');
      expect(await mine(ann.token, id)).toMatchObject({ joined: true, completed_at: expect.any(String) });
      expect(await mine(bob.token, id)).toMatchObject({ joined: false });
      const list = await fx.get(bob.token, '/api/challenges');
      expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([id]);
    });

    it('hides inactive challenges from customers and counts nothing for them', async () => {
      const { tenant, admin } = await fx.community();
      const [ann] = await fx.members(tenant, ['Ann']);
      const id = await fx.challenge(admin, { join_mode: 'automatic', active: false });
      await fx.recorded(admin, ann.id, 'check_in');
      expect((await fx.get(ann.token, `/api/challenges/${id}`)).status).toBe(404);
      expect((await fx.post(ann.token, `/api/challenges/${id}/join`)).status).toBe(404);
      expect(await fx.inTenant(tenant.id, `SELECT 1 FROM challenge_participants`)).toEqual([]);
    });
  });

  describe('community challenges', () => {
    it('adds everyone’s contributions to one goal and, once reached, completes it for every participant once', async () => {
      const { tenant, programId, admin } = await fx.community();
      await fx.rule(tenant.id, programId, 'challenge_completed', 10);
      const [ann, bob, cat, dan] = await fx.members(tenant, ['Ann', 'Bob', 'Cat', 'Dan']);
      const id = await fx.challenge(admin, {
        kind: 'community',
        goal: { type: 'activity_count', activity_type: 'check_in', count: 5 },
        points: 7,
      });
      for (const member of [ann, bob, cat]) {
        expect((await fx.post(member.token, `/api/challenges/${id}/join`)).status).toBe(201);
      }
      await fx.recorded(admin, ann.id, 'check_in');
      await fx.recorded(admin, ann.id, 'check_in');
      await fx.recorded(admin, dan.id, 'check_in'); // not a participant: does not count
      await fx.recorded(admin, bob.id, 'check_in');
      await fx.recorded(admin, bob.id, 'check_in');
      expect(await mine(ann.token, id)).toMatchObject({
        progress: { current: 2, target: 5 },
        community_progress: { current: 4, target: 5 },
        status: 'active',
      });

      // Bob's fifth check-in reaches the goal: he is paid at once, the others by the settlement job.
      await fx.recorded(admin, bob.id, 'check_in');
      expect(await mine(bob.token, id)).toMatchObject({ status: 'completed', completed_at: expect.any(String) });
      expect(await mine(ann.token, id)).toMatchObject({ status: 'completed', completed_at: null });
      const queue = t.app.get<Queue>(getQueueToken(QueueName.Gamification), { strict: false });
      const job = await queue.getJob(settleJobId(tenant.id, id));
      expect(job?.data).toEqual({ tenant_id: tenant.id, challenge_id: id });

      const settlement = t.app.get(ChallengeProgress);
      expect(await settlement.settle(tenant.id, id)).toMatchObject({ settled: 2, failed: 0 });
      expect(await settlement.settle(tenant.id, id)).toMatchObject({ settled: 0, failed: 0 });
      // A contribution after the goal changes nothing.
      await fx.recorded(admin, cat.id, 'check_in');

      for (const member of [ann, bob, cat]) {
        expect(await mine(member.token, id)).toMatchObject({ completed_at: expect.any(String) });
        expect(await fx.ledgerOf(tenant.id, member.id)).toMatchObject({ balance: 17, ledger: 17 });
      }
      expect(await fx.ledgerOf(tenant.id, dan.id)).toMatchObject({ balance: 0 });
      const events = await fx.outbox(tenant.id, 'challenge.completed');
      expect(events.map((event) => event.aggregate_id).sort()).toEqual([ann.id, bob.id, cat.id].sort());
      const [challenge] = await fx.inTenant<Array<{ progress: number }>>(
        tenant.id,
        `SELECT progress::int FROM challenges WHERE id = $1`,
        [id],
      );
      expect(challenge.progress).toBe(5);

      const late = await fx.post(dan.token, `/api/challenges/${id}/join`);
      expect(late.status).toBe(422);
      expect(late.body.code).toBe('challenge_completed');
    });

    it('reaches the goal once when many contribute at the same moment', async () => {
      const { tenant, admin } = await fx.community();
      const crowd = await fx.members(
        tenant,
        Array.from({ length: 10 }, (_, i) => `M${i}`),
      );
      const id = await fx.challenge(admin, {
        kind: 'community',
        join_mode: 'automatic',
        goal: { type: 'activity_count', activity_type: 'check_in', count: 12 },
      });
      const responses = await Promise.all(
        crowd.flatMap((member) => [
          fx.activity(admin, member.id, 'check_in'),
          fx.activity(admin, member.id, 'check_in'),
        ]),
      );
      expect(responses.map((res) => res.status)).toEqual(Array(20).fill(201));
      await t.app.get(ChallengeProgress).settle(tenant.id, id);
      const [challenge] = await fx.inTenant<Array<{ progress: number; completed: number; participants: number }>>(
        tenant.id,
        `SELECT c.progress::int,
                (SELECT count(*)::int FROM challenge_participants p WHERE p.completed_at IS NOT NULL) AS completed,
                (SELECT count(*)::int FROM challenge_participants p) AS participants
           FROM challenges c WHERE c.id = $1`,
        [id],
      );
      expect(challenge.progress).toBe(12);
      expect(challenge.completed).toBe(challenge.participants);
      expect(await fx.outbox(tenant.id, 'challenge.completed')).toHaveLength(challenge.participants);
      const completions = await fx.inTenant<unknown[]>(
        tenant.id,
        `SELECT id FROM activities WHERE type = 'challenge_completed'`,
      );
      expect(completions).toHaveLength(challenge.participants);
    });

    it('ranks participants on the challenge’s leaderboard', async () => {
      const { tenant, admin } = await fx.community();
      const [ann, bob] = await fx.members(tenant, ['Ann', 'Bob']);
      const id = await fx.challenge(admin, {
        kind: 'community',
        join_mode: 'automatic',
        goal: { type: 'activity_count', activity_type: 'check_in', count: 100 },
      });
      await fx.recorded(admin, ann.id, 'check_in');
      for (let i = 0; i < 3; i++) await fx.recorded(admin, bob.id, 'check_in');
      const res = await fx.get(ann.token, `/api/challenges/${id}/leaderboard`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([
        { rank: 1, display_name: 'Bob T.', points: 3, is_me: false },
        { rank: 2, display_name: 'Ann T.', points: 1, is_me: true },
      ]);
      expect(res.body.me).toEqual({ rank: 2, points: 1, opted_out: false });
    });
  });
});
