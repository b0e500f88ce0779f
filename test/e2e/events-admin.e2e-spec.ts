import QRCode from 'qrcode';
import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { Community, eventFixtures } from './events-fixtures';

/** Decodes a PNG's width and height from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('community events for staff', () => {
  let t: TestApp;
  let f: ReturnType<typeof eventFixtures>;
  let c: Community;

  beforeAll(async () => {
    t = await startTestApp();
    f = eventFixtures(t);
    c = await f.community();
  });
  afterAll(async () => t?.close());

  const admin = (method: 'get' | 'post' | 'patch' | 'delete', path: string, token = c.staffToken) =>
    request(t.server)[method](`/api/admin/events${path}`).set(f.bearer(token));

  it('plans an event with the seed’s fields, reads it back and audits it', async () => {
    const res = await admin('post', '').send({
      name: 'Intro to gardening',
      description: 'Bring gloves',
      event_date: '2031-05-01T18:00:00Z',
      ends_at: '2031-05-01T20:30:00Z',
      location: 'Allotment 4',
      event_type: 'Workshop',
      max_attendees: 50,
      registration_url: 'https://example.com/register',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Intro to gardening',
      description: 'Bring gloves',
      event_type: 'workshop',
      event_date: '2031-05-01T18:00:00.000Z',
      ends_at: '2031-05-01T20:30:00.000Z',
      location: 'Allotment 4',
      location_id: null,
      max_attendees: 50,
      registration_url: 'https://example.com/register',
      status: 'scheduled',
      registrations_count: 0,
      attendees_count: 0,
      seats_left: 50,
    });
    const read = await admin('get', `/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
    const [audit] = await f.inTenant<Array<{ actor_id: string; after: Record<string, unknown> }>>(
      c.tenant.id,
      `SELECT actor_id, after FROM audit_log WHERE action = 'event.created' AND target_id = $1`,
      [res.body.id],
    );
    expect(audit).toMatchObject({ actor_id: c.staffUserId, after: { name: 'Intro to gardening', max_attendees: 50 } });
  });

  it('refuses bad input with 400 naming each field, and writes nothing', async () => {
    const valid = { name: 'x', event_date: '2031-05-01T18:00:00Z', event_type: 'meetup' };
    const cases: Array<[object, string]> = [
      [{ ...valid, name: '' }, 'name'],
      [{ ...valid, event_date: 'tomorrow' }, 'event_date'],
      [{ ...valid, event_type: 'rave' }, 'event_type'],
      [{ ...valid, ends_at: '2031-05-01T17:00:00Z' }, 'ends_at'],
      [{ ...valid, max_attendees: 0 }, 'max_attendees'],
      [{ ...valid, max_attendees: 2.5 }, 'max_attendees'],
      [{ ...valid, registration_url: 'javascript:alert(1)' }, 'registration_url'],
      [{ ...valid, location_id: 'hall' }, 'location_id'],
      [{ ...valid, geofence_required: true }, 'geofence_required'],
      [{ ...valid, tenant_id: c.tenant.id }, 'tenant_id'],
    ];
    for (const [body, field] of cases) {
      const res = await admin('post', '').send(body);
      expect({ field, status: res.status }).toEqual({ field, status: 400 });
      expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    const [{ n }] = await f.inTenant<Array<{ n: number }>>(
      c.tenant.id,
      `SELECT count(*)::int AS n FROM events WHERE name = 'x'`,
    );
    expect(n).toBe(0);
  });

  it('changes an event, clears nullable fields with null, and refuses null for required ones', async () => {
    const event = await f.event(c.staffToken, { max_attendees: 10, registration_url: 'https://example.com/r' });
    const res = await admin('patch', `/${event.id}`).send({
      name: 'Renamed',
      event_type: 'social',
      max_attendees: null,
      registration_url: null,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Renamed',
      event_type: 'social',
      max_attendees: null,
      registration_url: null,
      seats_left: null,
    });
    const nulls = await admin('patch', `/${event.id}`).send({ name: null, event_date: null });
    expect(nulls.status).toBe(400);
    expect(new Set(nulls.body.errors.map((error: { field: string }) => error.field))).toEqual(
      new Set(['event_date', 'name']),
    );
    const backwards = await admin('patch', `/${event.id}`).send({ ends_at: '2000-01-01T00:00:00Z' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('ends_at');
    expect((await admin('get', `/${event.id}`)).body.name).toBe('Renamed');
  });

  it('never lowers the capacity below the seats already taken', async () => {
    const event = await f.event(c.staffToken, { max_attendees: 5 });
    for (let i = 0; i < 3; i++) expect((await f.register(await f.member(c.tenant), event.id)).status).toBe(201);
    const res = await admin('patch', `/${event.id}`).send({ max_attendees: 2 });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'capacity_below_seats_taken', seats_taken: 3 });
    const ok = await admin('patch', `/${event.id}`).send({ max_attendees: 3 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ max_attendees: 3, seats_left: 0, registrations_count: 3 });
  });

  it('cancels with DELETE (the event stays), twice harmlessly, and re-opens with PATCH', async () => {
    const event = await f.event(c.staffToken);
    expect((await admin('delete', `/${event.id}`)).status).toBe(204);
    expect((await admin('delete', `/${event.id}`)).status).toBe(204);
    const cancelled = await admin('get', `/${event.id}`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    expect(Date.parse(cancelled.body.cancelled_at)).not.toBeNaN();
    const [{ n }] = await f.inTenant<Array<{ n: number }>>(
      c.tenant.id,
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'event.cancelled' AND target_id = $1`,
      [event.id],
    );
    expect(n).toBe(1);
    const reopened = await admin('patch', `/${event.id}`).send({ status: 'scheduled' });
    expect(reopened.body).toMatchObject({ status: 'scheduled', cancelled_at: null });
  });

  it('lists events by when, type and status, page by page', async () => {
    const tenant = await f.community(0);
    const at = (hours: number) => f.hoursFromNow(hours);
    const pastWorkshop = await f.event(tenant.staffToken, {
      event_type: 'workshop',
      event_date: at(-48),
      ends_at: at(-47),
    });
    const soonMeetup = await f.event(tenant.staffToken, { event_type: 'meetup', event_date: at(2), ends_at: at(3) });
    const laterWorkshop = await f.event(tenant.staffToken, {
      event_type: 'workshop',
      event_date: at(48),
      ends_at: null,
    });
    const ongoing = await f.event(tenant.staffToken, { event_type: 'social', event_date: at(-1), ends_at: at(1) });
    expect((await admin('delete', `/${laterWorkshop.id}`, tenant.staffToken)).status).toBe(204);
    const ids = async (query: string) =>
      ((await admin('get', query, tenant.staffToken)).body.data as Array<{ id: string }>).map((event) => event.id);

    expect(await ids('?when=upcoming')).toEqual([ongoing.id, soonMeetup.id, laterWorkshop.id]);
    expect(await ids('?when=past')).toEqual([pastWorkshop.id]);
    expect(await ids('?type=workshop')).toEqual([laterWorkshop.id, pastWorkshop.id]);
    expect(await ids('?status=cancelled')).toEqual([laterWorkshop.id]);
    expect(await ids('')).toEqual([laterWorkshop.id, soonMeetup.id, ongoing.id, pastWorkshop.id]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await admin('get', `?when=upcoming&limit=2${cursor ? `&cursor=${cursor}` : ''}`, tenant.staffToken);
      seen.push(...page.body.data.map((event: { id: string }) => event.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([ongoing.id, soonMeetup.id, laterWorkshop.id]);

    const bad = await admin('get', '?when=someday&type=rave', tenant.staffToken);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['type', 'when']);
  });

  describe('the rotating check-in code', () => {
    it('answers JSON with the code and its expiry', async () => {
      const event = await f.event(c.staffToken);
      const res = await admin('get', `/${event.id}/qr?format=json`);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const rotation = f.config.EVENT_CODE_ROTATION_SECONDS;
      expect(res.body).toMatchObject({ event_id: event.id, rotation_seconds: rotation });
      expect(res.body.code).toMatch(new RegExp(`^ev1\\.${event.id}\\.\\d+\\.`));
      const expiresIn = Date.parse(res.body.expires_at) - Date.now();
      expect(expiresIn).toBeGreaterThan(rotation * 1000 - 2000);
      expect(expiresIn).toBeLessThanOrEqual(2 * rotation * 1000);
      expect(Date.parse(res.body.rotates_at)).toBe(Date.parse(res.body.expires_at) - rotation * 1000);
    });

    it('draws the same code as a PNG and as an SVG QR image', async () => {
      const event = await f.event(c.staffToken);
      const binary = (res: request.Response, done: (error: Error | null, body: Buffer) => void) => {
        const stream = res as unknown as NodeJS.ReadableStream;
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => done(null, Buffer.concat(chunks)));
      };
      /** An image and the JSON code on screen around it; retried if the code rotated in between. */
      async function imageWithCode(format: 'png' | 'svg') {
        for (;;) {
          const before = (await admin('get', `/${event.id}/qr`)).body.code as string;
          const image = await admin('get', `/${event.id}/qr?format=${format}`).buffer(true).parse(binary);
          const after = (await admin('get', `/${event.id}/qr`)).body.code as string;
          if (before === after) return { image, code: before };
        }
      }

      const png = await imageWithCode('png');
      expect(png.image.status).toBe(200);
      expect(png.image.headers['content-type']).toBe('image/png');
      expect(Date.parse(png.image.headers['x-code-expires-at'])).toBeGreaterThan(Date.now());
      expect(pngSize(png.image.body as Buffer)).toEqual({ width: 512, height: 512 });
      const expectedPng = await QRCode.toBuffer(png.code, {
        type: 'png',
        errorCorrectionLevel: 'M',
        margin: 2,
        width: 512,
      });
      expect((png.image.body as Buffer).equals(expectedPng)).toBe(true);

      const svg = await imageWithCode('svg');
      expect(svg.image.status).toBe(200);
      expect(svg.image.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const text = (svg.image.body as Buffer).toString('utf8');
      expect(text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(text).toBe(await QRCode.toString(svg.code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));

      const bad = await admin('get', `/${event.id}/qr?format=gif`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('format');
    });
  });

  describe('who may call', () => {
    it('lets an API key with events:write manage events, not one without it', async () => {
      const adminAccount = await f.account('admin', c.tenant);
      const adminToken = (await f.signIn(adminAccount)).access_token;
      const key = async (scopes: string[]) =>
        (await request(t.server).post('/api/admin/api-keys').set(f.bearer(adminToken)).send({ name: 'kiosk', scopes }))
          .body.secret as string;
      const eventsKey = await key(['events:write']);
      const otherKey = await key(['activities:write']);
      const body = { name: 'From the kiosk', event_date: f.hoursFromNow(1), event_type: 'online' };
      const created = await request(t.server).post('/api/admin/events').set('x-api-key', eventsKey).send(body);
      expect(created.status).toBe(201);
      const qr = await request(t.server).get(`/api/admin/events/${created.body.id}/qr`).set('x-api-key', eventsKey);
      expect(qr.status).toBe(200);
      const refused = await request(t.server).post('/api/admin/events').set('x-api-key', otherKey).send(body);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('insufficient_scope');
    });

    it('keeps customers out of the admin routes', async () => {
      const ann = await f.member(c.tenant);
      const event = await f.event(c.staffToken);
      for (const [method, path] of [
        ['get', ''],
        ['post', ''],
        ['get', `/${event.id}`],
        ['patch', `/${event.id}`],
        ['delete', `/${event.id}`],
        ['get', `/${event.id}/qr`],
        ['get', `/${event.id}/report`],
      ] as const) {
        expect({ method, path, status: (await admin(method, path, ann.token).send({})).status }).toEqual({
          method,
          path,
          status: 403,
        });
      }
      expect((await admin('get', `/${event.id}`)).body.status).toBe('scheduled');
    });

    it('answers 404 for another tenant’s event and a malformed id', async () => {
      const other = await f.community(0);
      const theirs = await f.event(other.staffToken);
      for (const path of [`/${theirs.id}`, `/${theirs.id}/qr`, `/${theirs.id}/report`, '/not-a-uuid']) {
        expect({ path, status: (await admin('get', path)).status }).toEqual({ path, status: 404 });
      }
      expect((await admin('patch', `/${theirs.id}`).send({ name: 'Mine now' })).status).toBe(404);
      expect((await admin('delete', `/${theirs.id}`)).status).toBe(404);
      expect((await admin('get', `/${theirs.id}`, other.staffToken)).body).toMatchObject({
        status: 'scheduled',
        name: expect.stringMatching(/^Meetup/),
      });
    });
  });
});
