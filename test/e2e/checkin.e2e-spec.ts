import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { LONDON, locationFixtures, offset, point, squarePolygon } from './locations-fixtures';

/** Paris, 340 km from London. */
const PARIS: [number, number] = [2.3522, 48.8566];

describe('POST /api/checkin', () => {
  let t: TestApp;
  let f: ReturnType<typeof locationFixtures>;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        CHECKIN_MAX_ACCURACY_M: '100',
        CHECKIN_COOLDOWN_MINUTES: '60',
        CHECKIN_MAX_PER_DAY: '3',
        CHECKIN_MAX_SPEED_KMH: '500',
      },
    });
    f = locationFixtures(t);
  });
  afterAll(async () => t?.close());

  interface Shop {
    tenant: TenantEntity;
    token: string;
    programId: string | null;
    rule(points: number, conditions?: object): Promise<string>;
  }

  async function shop(withProgram = true): Promise<Shop> {
    const { tenant, token, programId } = await f.tenantWithAdmin({ plan: 'growth' }, withProgram);
    const rule = async (points: number, conditions: object = {}) => {
      const [row] = await f.inTenant<Array<{ id: string }>>(
        tenant.id,
        `INSERT INTO rules (tenant_id, program_id, name, rule_type, conditions, effect)
         VALUES ($1, $2, 'Check-in bonus', 'check_in', $3, $4) RETURNING id`,
        [tenant.id, programId, JSON.stringify(conditions), JSON.stringify({ type: 'fixed', points })],
      );
      return row.id;
    };
    return { tenant, token, programId, rule };
  }

  const checkIn = (token: string, body: object, headers: Record<string, string> = {}) =>
    f.as(token).post('/api/checkin', body, headers);
  const at = ([lon, lat]: [number, number], extra: object = {}) => ({ lon, lat, ...extra });

  const rows = <T>(tenantId: string, sql: string, parameters: unknown[] = []) =>
    f.inTenant<T[]>(tenantId, sql, parameters);
  const checkinsOf = (tenantId: string) =>
    rows<{
      customer_id: string;
      location_id: string | null;
      lon: number;
      lat: number;
      accuracy_m: number | null;
      device: object;
      verified: boolean;
      reasons: string[];
      points_awarded: string;
      activity_id: string | null;
    }>(
      tenantId,
      `SELECT customer_id, location_id, ST_X(position::geometry) AS lon, ST_Y(position::geometry) AS lat, accuracy_m, device,
              verified, reasons, points_awarded, activity_id
         FROM checkins ORDER BY created_at, id`,
    );
  const balanceOf = async (tenantId: string, customerId: string) =>
    Number(
      (
        await rows<{ balance: string }>(tenantId, `SELECT balance FROM loyalty_accounts WHERE customer_id = $1`, [
          customerId,
        ])
      )[0]?.balance ?? 0,
    );
  /** Moves the customer's check-ins `minutes` into the past (as if they had been made then). */
  const age = (tenantId: string, customerId: string, minutes: number) =>
    f.inTenant(
      tenantId,
      `UPDATE checkins SET occurred_at = occurred_at - make_interval(mins => $2) WHERE customer_id = $1`,
      [customerId, minutes],
    );

  it('verifies a check-in inside the radius, earns through check_in rules and records everything in one go', async () => {
    const s = await shop();
    const ruleId = await s.rule(25);
    const locationId = await f.location(s.token, { name: 'Covent Garden', coordinates: point(LONDON), radius_m: 50 });
    const customer = await f.customer(s.tenant);
    const device = { id: 'install-1', platform: 'ios', os_version: '17.5', app_version: '3.2.0', model: 'iPhone15,2' };

    const res = await checkIn(
      customer.token,
      at(offset(LONDON, 30, 0), { location_id: locationId, accuracy_m: 8, device }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      verified: true,
      reasons: [],
      location: { id: locationId, name: 'Covent Garden' },
      points_awarded: 25,
    });
    expect(res.body.location.distance_m).toBeCloseTo(30, 0);

    const [stored] = await checkinsOf(s.tenant.id);
    expect(stored).toMatchObject({
      customer_id: customer.id,
      location_id: locationId,
      accuracy_m: 8,
      device,
      verified: true,
      reasons: [],
      points_awarded: '25',
    });
    expect(stored.lat).toBeCloseTo(offset(LONDON, 30, 0)[1], 7);
    const [activity] = await rows<{
      id: string;
      type: string;
      location_id: string;
      points_awarded: string;
      attributes: object;
    }>(s.tenant.id, `SELECT id, type, location_id, points_awarded, attributes FROM activities`);
    expect(activity).toMatchObject({
      id: stored.activity_id,
      type: 'check_in',
      location_id: locationId,
      points_awarded: '25',
      attributes: { checkin_id: res.body.checkin_id },
    });
    const [earned] = await rows<{ rule_id: string; points: string }>(
      s.tenant.id,
      `SELECT rule_id, points FROM point_transactions WHERE type = 'earn'`,
    );
    expect(earned).toEqual({ rule_id: ruleId, points: '25' });
    expect(await balanceOf(s.tenant.id, customer.id)).toBe(25);
    const events = await rows<{ event_type: string; payload: Record<string, unknown> }>(
      s.tenant.id,
      `SELECT event_type, payload FROM outbox WHERE event_type = 'checkin.verified'`,
    );
    expect(events).toEqual([
      {
        event_type: 'checkin.verified',
        payload: expect.objectContaining({
          checkin_id: res.body.checkin_id,
          customer_id: customer.id,
          location_id: locationId,
          activity_id: activity.id,
          points_awarded: 25,
        }),
      },
    ]);
  });

  it('stores a check-in outside the geofence as not verified: no activity, no points, no event', async () => {
    const s = await shop();
    await s.rule(25);
    const locationId = await f.location(s.token, { name: 'Shop', coordinates: point(LONDON), radius_m: 50 });
    const customer = await f.customer(s.tenant);
    const res = await checkIn(customer.token, at(offset(LONDON, 80, 0), { location_id: locationId, accuracy_m: 10 }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ verified: false, reasons: ['outside_geofence'], points_awarded: 0 });
    expect(res.body.location).toMatchObject({ id: locationId });
    expect(await checkinsOf(s.tenant.id)).toEqual([
      expect.objectContaining({
        verified: false,
        reasons: ['outside_geofence'],
        activity_id: null,
        location_id: locationId,
      }),
    ]);
    expect(await rows(s.tenant.id, `SELECT id FROM activities`)).toEqual([]);
    expect(await rows(s.tenant.id, `SELECT id FROM outbox WHERE event_type = 'checkin.verified'`)).toEqual([]);
    expect(await balanceOf(s.tenant.id, customer.id)).toBe(0);
  });

  it('grants the reported accuracy as tolerance on a radius, up to the maximum; worse accuracy is accuracy_too_low', async () => {
    const s = await shop();
    const locationId = await f.location(s.token, { name: 'Shop', coordinates: point(LONDON), radius_m: 50 });
    const spot = offset(LONDON, 80, 0);
    const tries: Array<[number | undefined, string[]]> = [
      [20, ['outside_geofence']],
      [undefined, ['outside_geofence']],
      [35, []],
      [150, ['accuracy_too_low']],
    ];
    for (const [accuracy, reasons] of tries) {
      const customer = await f.customer(s.tenant);
      const res = await checkIn(customer.token, at(spot, { location_id: locationId, accuracy_m: accuracy }));
      expect({ accuracy, reasons: res.body.reasons }).toEqual({ accuracy, reasons });
    }
    const customer = await f.customer(s.tenant);
    const blurred = await checkIn(customer.token, at(LONDON, { location_id: locationId, accuracy_m: 100.5 }));
    expect(blurred.body).toMatchObject({ verified: false, reasons: ['accuracy_too_low'] });
  });

  it('verifies a polygon geofence by containment, without tolerance', async () => {
    const s = await shop();
    const locationId = await f.location(s.token, {
      name: 'Market hall',
      coordinates: point(LONDON),
      geofence: squarePolygon(LONDON, 100),
    });
    const inside = await checkIn(
      (await f.customer(s.tenant)).token,
      at(offset(LONDON, 95, -95), { location_id: locationId }),
    );
    expect(inside.body).toMatchObject({ verified: true, reasons: [] });
    const justOutside = await checkIn(
      (await f.customer(s.tenant)).token,
      at(offset(LONDON, 110, 0), { location_id: locationId, accuracy_m: 50 }),
    );
    expect(justOutside.body).toMatchObject({ verified: false, reasons: ['outside_geofence'] });
  });

  it('finds the containing location when no location_id is given', async () => {
    const s = await shop();
    const small = await f.location(s.token, { name: 'Kiosk', coordinates: point(LONDON), radius_m: 20 });
    const big = await f.location(s.token, { name: 'Plaza', coordinates: point(offset(LONDON, 100, 0)), radius_m: 500 });
    const hallCentre = offset(LONDON, 0, 3000);
    const hall = await f.location(s.token, {
      name: 'Hall',
      coordinates: point(hallCentre),
      geofence: squarePolygon(hallCentre, 60),
    });

    const found = async (spot: [number, number], extra: object = {}) => {
      const res = await checkIn((await f.customer(s.tenant)).token, at(spot, extra));
      expect(res.status).toBe(201);
      return res.body as { verified: boolean; reasons: string[]; location: { id: string } | null };
    };
    // Inside both radii: the nearer location's point wins.
    expect((await found(offset(LONDON, 5, 0))).location?.id).toBe(small);
    expect((await found(offset(LONDON, 40, 0))).location?.id).toBe(big);
    // 20 m radius + 10 m of accuracy reaches 28 m out.
    expect((await found(offset(LONDON, -28, 0), { accuracy_m: 10 })).location?.id).toBe(small);
    expect((await found(offset(hallCentre, 55, 55))).location?.id).toBe(hall);
    const nowhere = await found(offset(LONDON, 0, 10_000));
    expect(nowhere).toMatchObject({ verified: false, reasons: ['no_location_found'], location: null });
    const [stored] = await rows<{ location_id: string | null; verified: boolean }>(
      s.tenant.id,
      `SELECT location_id, verified FROM checkins WHERE reasons = '{no_location_found}'`,
    );
    expect(stored).toEqual({ location_id: null, verified: false });
  });

  it('finds a large geofence behind more than a batch of nearer small ones', async () => {
    const s = await shop();
    const stadium = await f.location(s.token, {
      name: 'Stadium',
      coordinates: point(offset(LONDON, 3000, 0)),
      radius_m: 5000,
    });
    // 40 kiosks nearer to the point than the stadium's centre, none of them reaching it.
    await f.inTenant(
      s.tenant.id,
      `INSERT INTO locations (tenant_id, name, position, radius_m)
       SELECT $1, 'Kiosk ' || i, ST_Project(ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, 100 + 10 * i, radians(9 * i)), 10
         FROM generate_series(1, 40) i`,
      [s.tenant.id, LONDON[0], LONDON[1]],
    );
    const res = await checkIn((await f.customer(s.tenant)).token, at(LONDON));
    expect(res.body).toMatchObject({ verified: true, location: { id: stadium, name: 'Stadium' } });
  });

  it('applies a cooldown per customer and location', async () => {
    const s = await shop();
    await s.rule(10);
    const first = await f.location(s.token, { name: 'A', coordinates: point(LONDON), radius_m: 50 });
    const second = await f.location(s.token, { name: 'B', coordinates: point(offset(LONDON, 10, 0)), radius_m: 50 });
    const customer = await f.customer(s.tenant);
    expect((await checkIn(customer.token, at(LONDON, { location_id: first }))).body.verified).toBe(true);
    const again = await checkIn(customer.token, at(LONDON, { location_id: first }));
    expect(again.body).toMatchObject({ verified: false, reasons: ['cooldown'], points_awarded: 0 });
    const elsewhere = await checkIn(customer.token, at(offset(LONDON, 10, 0), { location_id: second }));
    expect(elsewhere.body.verified).toBe(true);
    const other = await f.customer(s.tenant);
    expect((await checkIn(other.token, at(LONDON, { location_id: first }))).body.verified).toBe(true);

    await age(s.tenant.id, customer.id, 61);
    expect((await checkIn(customer.token, at(LONDON, { location_id: first }))).body.verified).toBe(true);
    expect(await balanceOf(s.tenant.id, customer.id)).toBe(30);
  });

  it('stops verifying after CHECKIN_MAX_PER_DAY verified check-ins in the tenant’s day', async () => {
    const s = await shop();
    const customer = await f.customer(s.tenant);
    // Neighbouring stalls a few metres apart (no travel to speak of between them).
    const spots = [0, 1, 2, 3].map((i) => offset(LONDON, i * 5, 0));
    const ids = [];
    for (const [i, spot] of spots.entries())
      ids.push(await f.location(s.token, { name: `L${i}`, coordinates: point(spot) }));
    for (let i = 0; i < 3; i++) {
      expect((await checkIn(customer.token, at(spots[i], { location_id: ids[i] }))).body.reasons).toEqual([]);
    }
    const fourth = await checkIn(customer.token, at(spots[3], { location_id: ids[3] }));
    expect(fourth.body).toMatchObject({ verified: false, reasons: ['daily_limit'] });
    // A refused check-in does not count: yesterday's do not either.
    await f.inTenant(
      s.tenant.id,
      `UPDATE checkins SET occurred_at = date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 minute'
        WHERE customer_id = $1 AND verified`,
      [customer.id],
    );
    expect((await checkIn(customer.token, at(spots[3], { location_id: ids[3] }))).body.verified).toBe(true);
  });

  it('refuses a check-in the customer could not have travelled to since the previous one (impossible_travel)', async () => {
    const s = await shop();
    const london = await f.location(s.token, { name: 'London', coordinates: point(LONDON) });
    const paris = await f.location(s.token, { name: 'Paris', coordinates: point(PARIS) });
    const customer = await f.customer(s.tenant);
    expect((await checkIn(customer.token, at(LONDON, { location_id: london }))).body.verified).toBe(true);
    const hop = await checkIn(customer.token, at(PARIS, { location_id: paris }));
    expect(hop.body).toMatchObject({ verified: false, reasons: ['impossible_travel'] });
    // Two and a half hours later, 340 km is a train ride (136 km/h); the refused hop is not "previous".
    await age(s.tenant.id, customer.id, 150);
    expect((await checkIn(customer.token, at(PARIS, { location_id: paris }))).body.verified).toBe(true);
  });

  it('fires check_in rules limited to locations only at those locations', async () => {
    const s = await shop();
    const a = await f.location(s.token, { name: 'A', coordinates: point(LONDON) });
    const b = await f.location(s.token, { name: 'B', coordinates: point(offset(LONDON, 500, 0)) });
    await s.rule(10);
    await s.rule(40, { location_ids: [a] });
    const atA = await checkIn((await f.customer(s.tenant)).token, at(LONDON, { location_id: a }));
    expect(atA.body).toMatchObject({ verified: true, points_awarded: 50 });
    const atB = await checkIn((await f.customer(s.tenant)).token, at(offset(LONDON, 500, 0), { location_id: b }));
    expect(atB.body).toMatchObject({ verified: true, points_awarded: 10 });
  });

  it('verifies without earning in a tenant that has no program yet', async () => {
    const s = await shop(false);
    const id = await f.location(s.token, { name: 'A', coordinates: point(LONDON) });
    const res = await checkIn((await f.customer(s.tenant)).token, at(LONDON, { location_id: id }));
    expect(res.body).toMatchObject({ verified: true, points_awarded: 0 });
    expect(await rows(s.tenant.id, `SELECT id FROM activities`)).toEqual([]);
    expect(await rows(s.tenant.id, `SELECT id FROM outbox WHERE event_type = 'checkin.verified'`)).toHaveLength(1);
  });

  it('records a verified check-in that no rule pays for: the activity and the check-in, no points', async () => {
    const s = await shop();
    await s.rule(30, { location_ids: [await f.location(s.token, { name: 'Elsewhere', coordinates: point(PARIS) })] });
    const id = await f.location(s.token, { name: 'A', coordinates: point(LONDON) });
    const customer = await f.customer(s.tenant);
    const res = await checkIn(customer.token, at(LONDON, { location_id: id }));
    expect(res.body).toMatchObject({ verified: true, points_awarded: 0 });
    const [activity] = await rows<{ id: string; points_awarded: string }>(
      s.tenant.id,
      `SELECT id, points_awarded FROM activities WHERE type = 'check_in'`,
    );
    expect(activity).toMatchObject({ points_awarded: '0' });
    expect(await checkinsOf(s.tenant.id)).toEqual([
      expect.objectContaining({ location_id: id, verified: true, points_awarded: '0', activity_id: activity.id }),
    ]);
    expect(await balanceOf(s.tenant.id, customer.id)).toBe(0);
  });

  it('treats another tenant’s or a deleted location as unknown: no_location_found, nothing written to the other tenant', async () => {
    const a = await shop();
    const b = await shop();
    const ofA = await f.location(a.token, { name: 'A’s store', coordinates: point(LONDON) });
    const customerOfB = await f.customer(b.tenant);
    const res = await checkIn(customerOfB.token, at(LONDON, { location_id: ofA }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ verified: false, reasons: ['no_location_found'], location: null });
    expect(res.text).not.toContain('A’s store');
    expect(await checkinsOf(a.tenant.id)).toEqual([]);
    expect(await checkinsOf(b.tenant.id)).toEqual([expect.objectContaining({ location_id: null, verified: false })]);
    // Without a location_id, A's geofence is not searched either.
    expect((await checkIn(customerOfB.token, at(LONDON))).body.reasons).toEqual(['no_location_found']);

    await f.as(a.token).delete(`/api/admin/locations/${ofA}`);
    const customerOfA = await f.customer(a.tenant);
    const deleted = await checkIn(customerOfA.token, at(LONDON, { location_id: ofA }));
    expect(deleted.body).toMatchObject({ verified: false, reasons: ['no_location_found'], location: null });
  });

  it('judges one customer’s simultaneous check-ins one after another (only one passes the cooldown)', async () => {
    const s = await shop();
    await s.rule(10);
    const id = await f.location(s.token, { name: 'A', coordinates: point(LONDON) });
    const customer = await f.customer(s.tenant);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => checkIn(customer.token, at(LONDON, { location_id: id }))),
    );
    expect(results.map((res) => res.status)).toEqual(Array(6).fill(201));
    expect(results.filter((res) => res.body.verified)).toHaveLength(1);
    expect(await balanceOf(s.tenant.id, customer.id)).toBe(10);
    expect(await checkinsOf(s.tenant.id)).toHaveLength(6);
  });

  it('replays a check-in sent again with the same Idempotency-Key', async () => {
    const s = await shop();
    await s.rule(10);
    const id = await f.location(s.token, { name: 'A', coordinates: point(LONDON) });
    const customer = await f.customer(s.tenant);
    const first = await checkIn(customer.token, at(LONDON, { location_id: id }), { 'idempotency-key': 'ci-1' });
    const again = await checkIn(customer.token, at(LONDON, { location_id: id }), { 'idempotency-key': 'ci-1' });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await checkinsOf(s.tenant.id)).toHaveLength(1);
    expect(await balanceOf(s.tenant.id, customer.id)).toBe(10);
  });

  it('is for customers only', async () => {
    const s = await shop();
    expect((await checkIn(s.token, at(LONDON))).status).toBe(403);
  });

  it('refuses a disabled customer’s token in the check-in’s own transaction: 401, nothing written', async () => {
    const s = await shop();
    await s.rule(10);
    const id = await f.location(s.token, { name: 'A', coordinates: point(LONDON) });
    const customer = await f.customer(s.tenant);
    await f.inTenant(s.tenant.id, `UPDATE users SET status = 'disabled' WHERE id = $1`, [customer.id]);
    const res = await checkIn(customer.token, at(LONDON, { location_id: id }), { 'idempotency-key': 'ci-off' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
    // Bad input from a refused token is told about the token, not the input.
    expect((await checkIn(customer.token, { lat: 91, lon: 0 })).status).toBe(401);
    expect(await checkinsOf(s.tenant.id)).toEqual([]);
    expect(await rows(s.tenant.id, `SELECT 1 FROM idempotency_keys`)).toEqual([]);
    expect(await balanceOf(s.tenant.id, customer.id)).toBe(0);
  });

  describe('refuses bad input with a 400 naming the field, and writes nothing', () => {
    const cases: Array<[string, object, string]> = [
      ['latitude and longitude swapped (Sydney)', { lat: 151.2093, lon: -33.8688 }, 'lat'],
      ['a latitude out of range', { lat: -90.5, lon: 0 }, 'lat'],
      ['a longitude out of range', { lat: 0, lon: 180.01 }, 'lon'],
      ['NaN', { lat: 'NaN', lon: 0 }, 'lat'],
      ['a latitude as a string', { lat: '51.5', lon: 0 }, 'lat'],
      ['null', { lat: null, lon: 0 }, 'lat'],
      ['no longitude', { lat: 51.5 }, 'lon'],
      ['a location_id that is no uuid', { lat: 51.5, lon: 0, location_id: 'store-1' }, 'location_id'],
      ['a negative accuracy', { lat: 51.5, lon: 0, accuracy_m: -1 }, 'accuracy_m'],
      ['an unknown device field', { lat: 51.5, lon: 0, device: { imei: '123' } }, 'device.imei'],
      ['a GeoJSON point instead of lat/lon', { coordinates: point(LONDON) }, 'coordinates'],
    ];
    it.each(cases)('%s', async (_name, body, field) => {
      const s = await shop();
      await f.location(s.token, { name: 'A', coordinates: point(LONDON) });
      const customer = await f.customer(s.tenant);
      const res = await checkIn(customer.token, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(await checkinsOf(s.tenant.id)).toEqual([]);
      expect(await rows(s.tenant.id, `SELECT id FROM activities`)).toEqual([]);
    });
  });
});
