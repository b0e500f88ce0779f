import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { Community, eventFixtures } from './events-fixtures';

describe('event attendance by QR code and by staff', () => {
  let t: TestApp;
  let f: ReturnType<typeof eventFixtures>;
  let c: Community;

  beforeAll(async () => {
    t = await startTestApp();
    f = eventFixtures(t);
    c = await f.community(50);
  });
  afterAll(async () => t?.close());

  it('checks a customer in with the code on screen: one attendance, its points and its outbox event, together', async () => {
    const event = await f.event(c.staffToken);
    const ann = await f.member(c.tenant);
    const code = await f.currentCode(c.staffToken, event.id);

    const res = await f.attend(ann, event.id, { code });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      event_id: event.id,
      customer_id: ann.id,
      check_in_method: 'qr_code',
      points_awarded: 50,
      balance: 50,
      notes: null,
    });

    expect(await f.footprint(c.tenant.id, ann.id)).toEqual({
      attendance: 1,
      ledger: 1,
      activities: 1,
      attended_events: 1,
      balance: 50,
    });
    const [activity] = await f.inTenant<Array<{ id: string; reference: string; attributes: Record<string, unknown> }>>(
      c.tenant.id,
      `SELECT id, reference, attributes FROM activities WHERE customer_id = $1 AND type = 'event_attendance'`,
      [ann.id],
    );
    expect(activity).toEqual({
      id: expect.any(String),
      reference: event.id,
      attributes: { event_id: event.id, event_type: 'meetup', check_in_method: 'qr_code' },
    });
    // The attendance row names the activity that paid for it and the points.
    expect(
      await f.inTenant(
        c.tenant.id,
        `SELECT id, activity_id, points_awarded FROM event_attendance WHERE customer_id = $1`,
        [ann.id],
      ),
    ).toEqual([{ id: res.body.id, activity_id: activity.id, points_awarded: '50' }]);
    const [outbox] = await f.inTenant<Array<{ payload: Record<string, unknown>; aggregate_id: string }>>(
      c.tenant.id,
      `SELECT payload, aggregate_id FROM outbox WHERE event_type = 'event.attended'
          AND payload->>'customer_id' = $1::text`,
      [ann.id],
    );
    expect(outbox.aggregate_id).toBe(event.id);
    expect(outbox.payload).toMatchObject({ event_id: event.id, attendance_id: res.body.id, points_awarded: 50 });
  });

  it('refuses a disabled customer’s token in the attendance’s own transaction: 401, nothing written', async () => {
    const event = await f.event(c.staffToken);
    const ann = await f.member(c.tenant);
    const code = await f.currentCode(c.staffToken, event.id);
    await f.inTenant(c.tenant.id, `UPDATE users SET status = 'disabled' WHERE id = $1`, [ann.id]);
    const res = await f.attend(ann, event.id, { code });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
    expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
  });

  it('refuses a second attendance with 409 already_attended and pays nothing more', async () => {
    const event = await f.event(c.staffToken);
    const ann = await f.member(c.tenant);
    const code = await f.currentCode(c.staffToken, event.id);
    expect((await f.attend(ann, event.id, { code })).status).toBe(201);
    const before = await f.footprint(c.tenant.id, ann.id);

    const again = await f.attend(ann, event.id, { code });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_attended');
    const byStaff = await request(t.server)
      .post(`/api/admin/events/${event.id}/attendance`)
      .set(f.bearer(c.staffToken))
      .send({ customer_id: ann.id, check_in_method: 'manual' });
    expect(byStaff.status).toBe(409);
    expect(byStaff.body.code).toBe('already_attended');
    expect(await f.footprint(c.tenant.id, ann.id)).toEqual(before);
  });

  it('takes two parallel check-ins of the same customer once', async () => {
    const event = await f.event(c.staffToken);
    const ann = await f.member(c.tenant);
    const code = await f.currentCode(c.staffToken, event.id);
    const results = await Promise.all([1, 2, 3].map(() => f.attend(ann, event.id, { code })));
    expect(results.map((res) => res.status).sort()).toEqual([201, 409, 409]);
    expect(await f.footprint(c.tenant.id, ann.id)).toMatchObject({ attendance: 1, ledger: 1, balance: 50 });
  });

  describe('refuses codes that are not this event’s current code, writing nothing', () => {
    it('an expired code: 422 event_code_expired', async () => {
      const event = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const old = f.codeAt(
        c.tenant.id,
        event.id,
        new Date(Date.now() - 3 * f.config.EVENT_CODE_ROTATION_SECONDS * 1000),
      );
      const res = await f.attend(ann, event.id, { code: old });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('event_code_expired');
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
    });

    it('the previous code, within its grace period: accepted', async () => {
      const event = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const previous = f.codeAt(
        c.tenant.id,
        event.id,
        new Date(Date.now() - f.config.EVENT_CODE_ROTATION_SECONDS * 1000),
      );
      expect((await f.attend(ann, event.id, { code: previous })).status).toBe(201);
    });

    it('a forged code: 422 invalid_event_code', async () => {
      const event = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const genuine = await f.currentCode(c.staffToken, event.id);
      const [version, id, step, mac] = genuine.split('.');
      const forgeries = [
        [version, id, step, `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`].join('.'),
        [version, id, String(Number(step) + 100), mac].join('.'),
        'not-a-code',
      ];
      for (const code of forgeries) {
        const res = await f.attend(ann, event.id, { code });
        expect({ code, status: res.status, problem: res.body.code }).toEqual({
          code,
          status: 422,
          problem: 'invalid_event_code',
        });
      }
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
    });

    it('the current code of another event: 422 invalid_event_code', async () => {
      const event = await f.event(c.staffToken);
      const other = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const res = await f.attend(ann, event.id, { code: await f.currentCode(c.staffToken, other.id) });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid_event_code');
      expect(res.body.detail).toMatch(/another event/);
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
    });

    it('a code of another tenant’s event: 404 for that event, and the code does not open this one', async () => {
      const elsewhere = await f.community();
      const theirs = await f.event(elsewhere.staffToken);
      const ann = await f.member(c.tenant);
      const theirCode = await f.currentCode(elsewhere.staffToken, theirs.id);
      expect((await f.attend(ann, theirs.id, { code: theirCode })).status).toBe(404);
      const ours = await f.event(c.staffToken);
      const res = await f.attend(ann, ours.id, { code: theirCode });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid_event_code');
      // The same event id signed for another tenant is refused too (the tenant is in the signature).
      const crossTenant = f.codeAt(elsewhere.tenant.id, ours.id, new Date());
      expect((await f.attend(ann, ours.id, { code: crossTenant })).body.code).toBe('invalid_event_code');
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
    });

    it('a missing or overlong code, or bad coordinates: 400 naming the field', async () => {
      const event = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const cases: Array<[object, string]> = [
        [{}, 'code'],
        [{ code: 'x'.repeat(201) }, 'code'],
        [{ code: 'x', lat: 91, lon: 0 }, 'lat'],
        [{ code: 'x', lat: 0, lon: 'east' }, 'lon'],
        [{ code: 'x', extra: true }, 'extra'],
      ];
      for (const [body, field] of cases) {
        const res = await f.attend(ann, event.id, body);
        expect(res.status).toBe(400);
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
    });
  });

  describe('refuses attendance the event cannot take, writing nothing', () => {
    it('a cancelled event: 422 event_cancelled (and it shows no code)', async () => {
      const event = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const code = await f.currentCode(c.staffToken, event.id);
      expect((await request(t.server).delete(`/api/admin/events/${event.id}`).set(f.bearer(c.staffToken))).status).toBe(
        204,
      );
      const res = await f.attend(ann, event.id, { code });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('event_cancelled');
      const manual = await request(t.server)
        .post(`/api/admin/events/${event.id}/attendance`)
        .set(f.bearer(c.staffToken))
        .send({ customer_id: ann.id, check_in_method: 'manual' });
      expect(manual.status).toBe(422);
      expect(manual.body.code).toBe('event_cancelled');
      const qr = await request(t.server).get(`/api/admin/events/${event.id}/qr`).set(f.bearer(c.staffToken));
      expect(qr.status).toBe(422);
      expect(qr.body.code).toBe('event_cancelled');
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
    });

    it('a past event: 422 event_past, for QR check-ins after the grace and for staff after a week', async () => {
      const yesterday = await f.event(c.staffToken, {
        event_date: f.hoursFromNow(-30),
        ends_at: f.hoursFromNow(-28),
      });
      const lastMonth = await f.event(c.staffToken, { event_date: f.hoursFromNow(-24 * 30), ends_at: null });
      const ann = await f.member(c.tenant);
      const res = await f.attend(ann, yesterday.id, { code: await f.currentCode(c.staffToken, yesterday.id) });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('event_past');
      const manual = await request(t.server)
        .post(`/api/admin/events/${lastMonth.id}/attendance`)
        .set(f.bearer(c.staffToken))
        .send({ customer_id: ann.id, check_in_method: 'manual' });
      expect(manual.status).toBe(422);
      expect(manual.body.code).toBe('event_past');
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);

      // Staff may still catch up on yesterday's sign-in sheet.
      const catchUp = await request(t.server)
        .post(`/api/admin/events/${yesterday.id}/attendance`)
        .set(f.bearer(c.staffToken))
        .send({ customer_id: ann.id, check_in_method: 'manual', notes: 'paper sheet' });
      expect(catchUp.status).toBe(201);
    });

    it('an event whose check-in has not opened: 422 event_not_started', async () => {
      const tomorrow = await f.event(c.staffToken, { event_date: f.hoursFromNow(24), ends_at: f.hoursFromNow(26) });
      const ann = await f.member(c.tenant);
      const res = await f.attend(ann, tomorrow.id, { code: await f.currentCode(c.staffToken, tomorrow.id) });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('event_not_started');
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
    });

    it('a full event: 422 event_full for walk-ins, while registered customers keep their seats', async () => {
      const event = await f.event(c.staffToken, { max_attendees: 2 });
      const [reg1, reg2, walkIn] = [await f.member(c.tenant), await f.member(c.tenant), await f.member(c.tenant)];
      expect((await f.register(reg1, event.id)).status).toBe(201);
      expect((await f.register(reg2, event.id)).status).toBe(201);
      const code = await f.currentCode(c.staffToken, event.id);

      const refused = await f.attend(walkIn, event.id, { code });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('event_full');
      const byStaff = await request(t.server)
        .post(`/api/admin/events/${event.id}/attendance`)
        .set(f.bearer(c.staffToken))
        .send({ customer_id: walkIn.id, check_in_method: 'manual' });
      expect(byStaff.status).toBe(422);
      expect(byStaff.body.code).toBe('event_full');
      expect(await f.footprint(c.tenant.id, walkIn.id)).toEqual(f.nothingWritten);

      expect((await f.attend(reg1, event.id, { code })).status).toBe(201);
      expect((await f.attend(reg2, event.id, { code })).status).toBe(201);
    });

    it('walk-ins take free seats, and then the event is full', async () => {
      const event = await f.event(c.staffToken, { max_attendees: 1 });
      const [first, second] = [await f.member(c.tenant), await f.member(c.tenant)];
      const code = await f.currentCode(c.staffToken, event.id);
      expect((await f.attend(first, event.id, { code })).status).toBe(201);
      const res = await f.attend(second, event.id, { code });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('event_full');
      expect(await f.footprint(c.tenant.id, second.id)).toEqual(f.nothingWritten);
    });

    it('an event of no one: 404, and an erased customer: 404', async () => {
      const ann = await f.member(c.tenant);
      const missing = await f.attend(ann, '00000000-0000-4000-8000-000000000000', { code: 'x' });
      expect(missing.status).toBe(404);
      expect((await f.attend(ann, 'not-a-uuid', { code: 'x' })).status).toBe(404);

      const event = await f.event(c.staffToken);
      const bo = await f.member(c.tenant);
      await f.inTenant(c.tenant.id, `UPDATE customers SET status = 'erased' WHERE id = $1`, [bo.id]);
      const manual = await request(t.server)
        .post(`/api/admin/events/${event.id}/attendance`)
        .set(f.bearer(c.staffToken))
        .send({ customer_id: bo.id, check_in_method: 'manual' });
      expect(manual.status).toBe(404);
      expect(await f.footprint(c.tenant.id, bo.id)).toEqual(f.nothingWritten);
    });
  });

  describe('the geofence of the event’s location', () => {
    const hall = { lon: -0.1276, lat: 51.5072 };

    async function location(tenantId: string, shape: 'radius' | 'polygon'): Promise<string> {
      const [row] = await f.inTenant<Array<{ id: string }>>(
        tenantId,
        shape === 'radius'
          ? `INSERT INTO locations (tenant_id, name, position, radius_m)
             VALUES ($1, 'Hall', ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, 100) RETURNING id`
          : `INSERT INTO locations (tenant_id, name, position, geofence)
             VALUES ($1, 'Park', ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography,
                     ST_Buffer(ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, 300)) RETURNING id`,
        [tenantId, hall.lon, hall.lat],
      );
      return row.id;
    }

    it('takes a QR check-in from inside the radius, and refuses one without a position or from afar', async () => {
      const event = await f.event(c.staffToken, {
        location_id: await location(c.tenant.id, 'radius'),
        geofence_required: true,
      });
      const [ann, bo] = [await f.member(c.tenant), await f.member(c.tenant)];
      const code = await f.currentCode(c.staffToken, event.id);

      const blind = await f.attend(ann, event.id, { code });
      expect(blind.status).toBe(422);
      expect(blind.body.code).toBe('location_required');
      const afar = await f.attend(ann, event.id, { code, lat: hall.lat + 0.01, lon: hall.lon });
      expect(afar.status).toBe(422);
      expect(afar.body.code).toBe('outside_event_location');
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);

      expect((await f.attend(ann, event.id, { code, lat: hall.lat + 0.0005, lon: hall.lon })).status).toBe(201);
      // Staff vouch for the person in front of them: no position needed.
      const manual = await request(t.server)
        .post(`/api/admin/events/${event.id}/attendance`)
        .set(f.bearer(c.staffToken))
        .send({ customer_id: bo.id, check_in_method: 'manual' });
      expect(manual.status).toBe(201);
    });

    it('checks a polygon geofence', async () => {
      const event = await f.event(c.staffToken, {
        location_id: await location(c.tenant.id, 'polygon'),
        geofence_required: true,
      });
      const ann = await f.member(c.tenant);
      const code = await f.currentCode(c.staffToken, event.id);
      const outside = await f.attend(ann, event.id, { code, lat: hall.lat, lon: hall.lon + 0.01 });
      expect(outside.body.code).toBe('outside_event_location');
      expect((await f.attend(ann, event.id, { code, lat: hall.lat, lon: hall.lon + 0.002 })).status).toBe(201);
    });

    it('does not ask for a position when the event does not require it', async () => {
      const event = await f.event(c.staffToken, { location_id: await location(c.tenant.id, 'radius') });
      const ann = await f.member(c.tenant);
      const code = await f.currentCode(c.staffToken, event.id);
      expect((await f.attend(ann, event.id, { code, lat: 0, lon: 0 })).status).toBe(201);
    });

    it('plans events only at the tenant’s own, existing locations', async () => {
      const elsewhere = await f.community(0);
      const theirs = await location(elsewhere.tenant.id, 'radius');
      const deleted = await location(c.tenant.id, 'radius');
      await f.inTenant(c.tenant.id, `UPDATE locations SET deleted_at = now() WHERE id = $1`, [deleted]);
      for (const locationId of [theirs, deleted, '00000000-0000-4000-8000-000000000000']) {
        const res = await request(t.server)
          .post('/api/admin/events')
          .set(f.bearer(c.staffToken))
          .send({ name: 'Nowhere', event_type: 'meetup', event_date: f.hoursFromNow(1), location_id: locationId });
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([{ field: 'location_id', message: 'is not a location of this tenant' }]);
      }
    });
  });

  describe('staff recording attendance by hand', () => {
    it('records it with notes, pays the rules, and audits who did it', async () => {
      const event = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const res = await request(t.server)
        .post(`/api/admin/events/${event.id}/attendance`)
        .set(f.bearer(c.staffToken))
        .send({ customer_id: ann.id, check_in_method: 'manual', notes: 'Signed the sheet' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        customer_id: ann.id,
        check_in_method: 'manual',
        notes: 'Signed the sheet',
        points_awarded: 50,
      });
      expect(await f.footprint(c.tenant.id, ann.id)).toMatchObject({ attendance: 1, ledger: 1, balance: 50 });
      const [audit] = await f.inTenant<Array<{ actor_id: string; after: Record<string, unknown> }>>(
        c.tenant.id,
        `SELECT actor_id, after FROM audit_log WHERE action = 'event.attendance_recorded' AND target_id = $1`,
        [event.id],
      );
      expect(audit.actor_id).toBe(c.staffUserId);
      expect(audit.after).toMatchObject({ customer_id: ann.id, check_in_method: 'manual', notes: 'Signed the sheet' });
    });

    it('replays an Idempotency-Key instead of refusing the retry', async () => {
      const event = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const send = () =>
        request(t.server)
          .post(`/api/admin/events/${event.id}/attendance`)
          .set(f.bearer(c.staffToken))
          .set('idempotency-key', `attend-${ann.id}`)
          .send({ customer_id: ann.id, check_in_method: 'manual' });
      const first = await send();
      const replay = await send();
      expect(first.status).toBe(201);
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect(await f.footprint(c.tenant.id, ann.id)).toMatchObject({ attendance: 1, ledger: 1 });
    });

    it('accepts only the manual method, a customer uuid and short notes', async () => {
      const event = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const cases: Array<[object, string]> = [
        [{ customer_id: ann.id, check_in_method: 'qr_code' }, 'check_in_method'],
        [{ customer_id: 'ann', check_in_method: 'manual' }, 'customer_id'],
        [{ customer_id: ann.id, check_in_method: 'manual', notes: 'n'.repeat(1001) }, 'notes'],
      ];
      for (const [body, field] of cases) {
        const res = await request(t.server)
          .post(`/api/admin/events/${event.id}/attendance`)
          .set(f.bearer(c.staffToken))
          .send(body);
        expect(res.status).toBe(400);
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
    });

    it('is not open to customers, and QR check-in is not open to staff', async () => {
      const event = await f.event(c.staffToken);
      const ann = await f.member(c.tenant);
      const asCustomer = await request(t.server)
        .post(`/api/admin/events/${event.id}/attendance`)
        .set(f.bearer(ann.token))
        .send({ customer_id: ann.id, check_in_method: 'manual' });
      expect(asCustomer.status).toBe(403);
      const asStaff = await request(t.server)
        .post(`/api/events/${event.id}/attend`)
        .set(f.bearer(c.staffToken))
        .send({ code: await f.currentCode(c.staffToken, event.id) });
      expect(asStaff.status).toBe(403);
      expect(await f.footprint(c.tenant.id, ann.id)).toEqual(f.nothingWritten);
    });
  });

  describe('reports and history', () => {
    it('reports attendees with names, e-mail, method and time, as JSON and as CSV', async () => {
      const event = await f.event(c.staffToken, { max_attendees: 10 });
      const ann = await f.member(c.tenant, { first_name: 'Ann', last_name: 'Lee' });
      const bo = await f.member(c.tenant, { first_name: '=Bo', last_name: 'Diaz, Jr.' });
      const cy = await f.member(c.tenant, { first_name: 'Cy', last_name: 'Registered' });
      expect((await f.register(ann, event.id)).status).toBe(201);
      expect((await f.register(cy, event.id)).status).toBe(201);
      expect((await f.attend(ann, event.id, { code: await f.currentCode(c.staffToken, event.id) })).status).toBe(201);
      expect(
        (
          await request(t.server)
            .post(`/api/admin/events/${event.id}/attendance`)
            .set(f.bearer(c.staffToken))
            .send({ customer_id: bo.id, check_in_method: 'manual', notes: 'Came "late", stayed' })
        ).status,
      ).toBe(201);

      const json = await request(t.server).get(`/api/admin/events/${event.id}/report`).set(f.bearer(c.staffToken));
      expect(json.status).toBe(200);
      expect(json.body).toMatchObject({
        registrations_count: 2,
        attendees_count: 2,
        registered_attendees_count: 1,
        event: { id: event.id, seats_left: 7 },
      });
      expect(json.body.attendees).toEqual([
        expect.objectContaining({
          customer_id: ann.id,
          first_name: 'Ann',
          last_name: 'Lee',
          email: ann.email,
          check_in_method: 'qr_code',
          registered: true,
          points_awarded: 50,
        }),
        expect.objectContaining({ customer_id: bo.id, check_in_method: 'manual', registered: false }),
      ]);
      expect(Date.parse(json.body.attendees[0].checked_in_at)).not.toBeNaN();

      const csv = await request(t.server)
        .get(`/api/admin/events/${event.id}/report?format=csv`)
        .set(f.bearer(c.staffToken));
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toBe(`attachment; filename="event-${event.id}-attendance.csv"`);
      const lines = csv.text.split('\r\n');
      expect(lines[0]).toBe(
        'customer_id,first_name,last_name,email,check_in_method,checked_in_at,registered,points_awarded,notes',
      );
      expect(lines[1]).toMatch(new RegExp(`^${ann.id},Ann,Lee,${ann.email},qr_code,[^,]+,true,50,$`));
      expect(lines[2]).toMatch(
        new RegExp(`^${bo.id},'=Bo,"Diaz, Jr\\.",${bo.email},manual,[^,]+,false,50,"Came ""late"", stayed"$`),
      );
      expect(lines).toHaveLength(4);
      expect(lines[3]).toBe('');
    });

    it('lists the events a customer attended, latest first, page by page', async () => {
      const ann = await f.member(c.tenant);
      const first = await f.event(c.staffToken, { name: 'First' });
      const second = await f.event(c.staffToken, { name: 'Second' });
      const third = await f.event(c.staffToken, { name: 'Third (registered only)' });
      expect((await f.attend(ann, first.id, { code: await f.currentCode(c.staffToken, first.id) })).status).toBe(201);
      expect((await f.attend(ann, second.id, { code: await f.currentCode(c.staffToken, second.id) })).status).toBe(201);
      expect((await f.register(ann, third.id)).status).toBe(201);

      const page1 = await request(t.server).get('/api/me/events?limit=1').set(f.bearer(ann.token));
      expect(page1.status).toBe(200);
      expect(page1.body.data).toEqual([
        expect.objectContaining({ id: second.id, name: 'Second', check_in_method: 'qr_code', points_awarded: 50 }),
      ]);
      const page2 = await request(t.server)
        .get(`/api/me/events?limit=1&cursor=${page1.body.next_cursor}`)
        .set(f.bearer(ann.token));
      expect(page2.body.data.map((event: { id: string }) => event.id)).toEqual([first.id]);
      expect(page2.body.next_cursor).toBeNull();

      const bo = await f.member(c.tenant);
      const none = await request(t.server).get('/api/me/events').set(f.bearer(bo.token));
      expect(none.body).toEqual({ data: [], next_cursor: null });
    });
  });
});
