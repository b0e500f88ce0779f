import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { Community, eventFixtures, Member } from './events-fixtures';

describe('community events for customers: browsing and registration', () => {
  let t: TestApp;
  let f: ReturnType<typeof eventFixtures>;
  let c: Community;

  beforeAll(async () => {
    t = await startTestApp();
    f = eventFixtures(t);
    c = await f.community();
  });
  afterAll(async () => t?.close());

  const registrationsOf = async (eventId: string) =>
    (
      await f.inTenant<Array<{ n: number }>>(
        c.tenant.id,
        `SELECT count(*)::int AS n FROM event_registrations WHERE event_id = $1`,
        [eventId],
      )
    )[0].n;

  it('registers a customer, shows it on the event, and emits event.registered', async () => {
    const event = await f.event(c.staffToken, { event_date: f.hoursFromNow(24), ends_at: null, max_attendees: 3 });
    const ann = await f.member(c.tenant);
    const res = await f.register(ann, event.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ event_id: event.id, customer_id: ann.id, seats_left: 2 });

    const seen = await request(t.server).get(`/api/events/${event.id}`).set(f.bearer(ann.token));
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: event.id, registered: true, attended: false, registrations_count: 1 });
    const [outbox] = await f.inTenant<Array<{ payload: Record<string, unknown> }>>(
      c.tenant.id,
      `SELECT payload FROM outbox WHERE event_type = 'event.registered' AND aggregate_id = $1`,
      [event.id],
    );
    expect(outbox.payload).toMatchObject({ customer_id: ann.id, registration_id: res.body.id });
  });

  it('refuses a disabled customer’s token in the registration’s own transaction: 401, no seat taken', async () => {
    const event = await f.event(c.staffToken, { event_date: f.hoursFromNow(24), ends_at: null, max_attendees: 3 });
    const ann = await f.member(c.tenant);
    await f.inTenant(c.tenant.id, `UPDATE users SET status = 'disabled' WHERE id = $1`, [ann.id]);
    const res = await f.register(ann, event.id);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
    expect(await registrationsOf(event.id)).toBe(0);
  });

  it('refuses a duplicate registration with 409 already_registered', async () => {
    const event = await f.event(c.staffToken, { event_date: f.hoursFromNow(24), ends_at: null });
    const ann = await f.member(c.tenant);
    expect((await f.register(ann, event.id)).status).toBe(201);
    const again = await f.register(ann, event.id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_registered');
    expect(await registrationsOf(event.id)).toBe(1);
  });

  it('refuses registration after attending (the seat is already theirs)', async () => {
    const event = await f.event(c.staffToken);
    const ann = await f.member(c.tenant);
    expect((await f.attend(ann, event.id, { code: await f.currentCode(c.staffToken, event.id) })).status).toBe(201);
    const res = await f.register(ann, event.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('already_attended');
    expect(await registrationsOf(event.id)).toBe(0);
  });

  it('refuses a cancelled event (422 event_cancelled), a past one (422 event_past) and a full one (422 event_full)', async () => {
    const cancelled = await f.event(c.staffToken, { event_date: f.hoursFromNow(24), ends_at: null });
    await request(t.server).delete(`/api/admin/events/${cancelled.id}`).set(f.bearer(c.staffToken));
    const past = await f.event(c.staffToken, { event_date: f.hoursFromNow(-5), ends_at: f.hoursFromNow(-4) });
    const full = await f.event(c.staffToken, { event_date: f.hoursFromNow(24), ends_at: null, max_attendees: 1 });
    expect((await f.register(await f.member(c.tenant), full.id)).status).toBe(201);
    const ann = await f.member(c.tenant);

    for (const [event, code] of [
      [cancelled, 'event_cancelled'],
      [past, 'event_past'],
      [full, 'event_full'],
    ] as const) {
      const res = await f.register(ann, event.id);
      expect({ code, status: res.status, problem: res.body.code }).toEqual({ code, status: 422, problem: code });
    }
    expect(await registrationsOf(cancelled.id)).toBe(0);
    expect(await registrationsOf(past.id)).toBe(0);
    expect(await registrationsOf(full.id)).toBe(1);
  });

  it('gives 10 seats to exactly 10 of 50 customers registering at the same moment', async () => {
    const event = await f.event(c.staffToken, { event_date: f.hoursFromNow(24), ends_at: null, max_attendees: 10 });
    const members: Member[] = [];
    for (let i = 0; i < 50; i++) members.push(await f.member(c.tenant));

    const results = await Promise.all(members.map((member) => f.register(member, event.id)));
    const statuses = results.map((res) => `${res.status} ${res.body.code ?? ''}`.trim());
    expect(statuses.filter((status) => status === '201')).toHaveLength(10);
    expect(statuses.filter((status) => status === '422 event_full')).toHaveLength(40);
    expect(await registrationsOf(event.id)).toBe(10);
    const event10 = await request(t.server).get(`/api/admin/events/${event.id}`).set(f.bearer(c.staffToken));
    expect(event10.body).toMatchObject({ registrations_count: 10, seats_left: 0 });
  });

  it('lists upcoming events soonest first and past ones latest first, by type, with the caller’s standing', async () => {
    const tenant = await f.community(0);
    const ann = await f.member(tenant.tenant);
    const at = (hours: number) => f.hoursFromNow(hours);
    const pastSocial = await f.event(tenant.staffToken, {
      event_type: 'social',
      event_date: at(-72),
      ends_at: at(-70),
    });
    const olderPast = await f.event(tenant.staffToken, { event_type: 'workshop', event_date: at(-100), ends_at: null });
    const nextWeek = await f.event(tenant.staffToken, {
      event_type: 'workshop',
      event_date: at(24 * 7),
      ends_at: null,
    });
    const tomorrow = await f.event(tenant.staffToken, { event_type: 'Meetup', event_date: at(24), ends_at: null });
    const inTwoDays = await f.event(tenant.staffToken, { event_type: 'workshop', event_date: at(48), ends_at: null });
    expect((await f.register(ann, inTwoDays.id)).status).toBe(201);

    const list = async (query: string) => {
      const res = await request(t.server).get(`/api/events${query}`).set(f.bearer(ann.token));
      expect(res.status).toBe(200);
      return res.body as { data: Array<{ id: string; registered: boolean }>; next_cursor: string | null };
    };
    expect((await list('')).data.map((event) => event.id)).toEqual([tomorrow.id, inTwoDays.id, nextWeek.id]);
    expect((await list('?when=past')).data.map((event) => event.id)).toEqual([pastSocial.id, olderPast.id]);
    expect((await list('?when=upcoming&type=workshop')).data.map((event) => event.id)).toEqual([
      inTwoDays.id,
      nextWeek.id,
    ]);
    expect((await list('?type=WORKSHOP&when=past')).data.map((event) => event.id)).toEqual([olderPast.id]);
    expect((await list('?type=workshop')).data.find((event) => event.id === inTwoDays.id)?.registered).toBe(true);

    const first = await list('?limit=2');
    expect(first.data.map((event) => event.id)).toEqual([tomorrow.id, inTwoDays.id]);
    const second = await list(`?limit=2&cursor=${first.next_cursor}`);
    expect(second.data.map((event) => event.id)).toEqual([nextWeek.id]);
    expect(second.next_cursor).toBeNull();

    // Another tenant's customer sees none of them.
    const stranger = await f.member(c.tenant);
    const theirs = await request(t.server).get('/api/events?when=past').set(f.bearer(stranger.token));
    expect(theirs.body.data.map((event: { id: string }) => event.id)).not.toContain(pastSocial.id);
    expect((await request(t.server).get(`/api/events/${tomorrow.id}`).set(f.bearer(stranger.token))).status).toBe(404);
    expect((await f.register(stranger, tomorrow.id)).status).toBe(404);
  });

  it('refuses bad list queries and keeps staff and API keys off the customer routes', async () => {
    const ann = await f.member(c.tenant);
    const bad = await request(t.server).get('/api/events?when=soon&limit=1000&cursor=zzz').set(f.bearer(ann.token));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['limit', 'when']);
    const badCursor = await request(t.server).get('/api/events?cursor=zzz').set(f.bearer(ann.token));
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors[0].field).toBe('cursor');

    const event = await f.event(c.staffToken);
    for (const call of [
      request(t.server).get('/api/events'),
      request(t.server).get(`/api/events/${event.id}`),
      request(t.server).post(`/api/events/${event.id}/register`),
      request(t.server).get('/api/me/events'),
    ]) {
      expect((await call.set(f.bearer(c.staffToken))).status).toBe(403);
    }
    expect((await request(t.server).get('/api/events')).status).toBe(401);
    expect(await registrationsOf(event.id)).toBe(0);
  });
});
