import { startTestApp, TestApp } from '../support/test-app';
import { LONDON, locationFixtures, offset, point, squarePolygon, squareRing } from './locations-fixtures';

describe('locations: admin CRUD and geofence validation', () => {
  let t: TestApp;
  let f: ReturnType<typeof locationFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    f = locationFixtures(t);
  });
  afterAll(async () => t?.close());

  const countOf = async (tenantId: string, table: 'locations' | 'audit_log') =>
    (await f.inTenant<Array<{ n: number }>>(tenantId, `SELECT count(*)::int AS n FROM ${table}`))[0].n;

  it('creates a radius location and answers it as GeoJSON, in lists and reads, with an audit entry', async () => {
    const { tenant, token } = await f.tenantWithAdmin();
    const created = await f.as(token).post('/api/admin/locations', {
      name: 'Covent Garden',
      address: '1 Long Acre, London',
      external_id: 'store-1',
      coordinates: point(LONDON),
      radius_m: 75,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Covent Garden',
      address: '1 Long Acre, London',
      external_id: 'store-1',
      coordinates: { type: 'Point', coordinates: LONDON },
      geofence_type: 'radius',
      radius_m: 75,
      geofence: null,
    });
    expect(created.body.area_m2).toBeCloseTo(Math.PI * 75 ** 2, 0);

    const read = await f.as(token).get(`/api/admin/locations/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    const list = await f.as(token).get('/api/admin/locations');
    expect(list.body).toEqual({ data: [created.body], next_cursor: null });

    const [entry] = await f.inTenant<Array<{ action: string; target_id: string; after: { name: string } }>>(
      tenant.id,
      `SELECT action, target_id, after FROM audit_log WHERE action LIKE 'location.%'`,
    );
    expect(entry).toMatchObject({
      action: 'location.created',
      target_id: created.body.id,
      after: { name: 'Covent Garden' },
    });
  });

  it('creates a polygon location, and gives one with neither radius nor polygon 100 m', async () => {
    const { token } = await f.tenantWithAdmin();
    const geofence = squarePolygon(LONDON, 50);
    const polygon = await f
      .as(token)
      .post('/api/admin/locations', { name: 'Mall', coordinates: point(LONDON), geofence });
    expect(polygon.status).toBe(201);
    expect(polygon.body).toMatchObject({ geofence_type: 'polygon', radius_m: null, geofence });
    expect(polygon.body.area_m2).toBeGreaterThan(9_900);
    expect(polygon.body.area_m2).toBeLessThan(10_100);

    const plain = await f.as(token).post('/api/admin/locations', { name: 'Kiosk', coordinates: point(LONDON) });
    expect(plain.body).toMatchObject({ geofence_type: 'radius', radius_m: 100 });
  });

  it('accepts a MultiPolygon and a polygon with a hole', async () => {
    const { token } = await f.tenantWithAdmin();
    const multi = {
      type: 'MultiPolygon',
      coordinates: [[squareRing(LONDON, 30)], [squareRing(offset(LONDON, 200, 0), 30)]],
    };
    expect(
      (
        await f
          .as(token)
          .post('/api/admin/locations', { name: 'Two halls', coordinates: point(LONDON), geofence: multi })
      ).status,
    ).toBe(201);
    const withHole = { type: 'Polygon', coordinates: [squareRing(LONDON, 100), squareRing(LONDON, 20)] };
    expect(
      (await f.as(token).post('/api/admin/locations', { name: 'Ring', coordinates: point(LONDON), geofence: withHole }))
        .status,
    ).toBe(201);
  });

  describe('refuses bad input with a 400 naming the field, and writes nothing', () => {
    const bowtie = {
      type: 'Polygon',
      coordinates: [[LONDON, offset(LONDON, 100, 100), offset(LONDON, 0, 100), offset(LONDON, 100, 0), LONDON]],
    };
    const unclosed = {
      type: 'Polygon',
      coordinates: [
        squareRing(LONDON, 50)
          .slice(0, 4)
          .concat([offset(LONDON, 1, 1)]),
      ],
    };
    const ring1001 = Array.from({ length: 1000 }, (_, i): [number, number] =>
      offset(LONDON, 100 * Math.sin((2 * Math.PI * i) / 1000), 100 * Math.cos((2 * Math.PI * i) / 1000)),
    );
    const cases: Array<[string, object, string, RegExp]> = [
      [
        'latitude and longitude swapped',
        { coordinates: point([51.5117, 151.2093]) },
        'coordinates.coordinates[1]',
        /swapped/,
      ],
      [
        'longitude out of range',
        { coordinates: point([200, 10]) },
        'coordinates.coordinates[0]',
        /longitude 200 is out of range/,
      ],
      ['latitude out of range', { coordinates: point([10, -91]) }, 'coordinates.coordinates[1]', /latitude -91/],
      [
        'NaN as a coordinate',
        { coordinates: { type: 'Point', coordinates: ['NaN', 51.5] } },
        'coordinates.coordinates',
        /finite numbers/,
      ],
      [
        'null as a coordinate',
        { coordinates: { type: 'Point', coordinates: [null, 51.5] } },
        'coordinates.coordinates',
        /finite numbers/,
      ],
      [
        'a self-intersecting polygon',
        { coordinates: point(LONDON), geofence: bowtie },
        'geofence',
        /not a valid geometry: Self-intersection\[/,
      ],
      ['an unclosed ring', { coordinates: point(LONDON), geofence: unclosed }, 'geofence.coordinates[0]', /not closed/],
      [
        'GeoJSON of the wrong type as a geofence',
        { coordinates: point(LONDON), geofence: { type: 'LineString', coordinates: [LONDON, offset(LONDON, 10, 10)] } },
        'geofence.type',
        /"Polygon" or "MultiPolygon", got "LineString"/,
      ],
      [
        'GeoJSON of the wrong type as coordinates',
        { coordinates: squarePolygon(LONDON, 10) },
        'coordinates.type',
        /must be "Point"/,
      ],
      ['coordinates that are not GeoJSON', { coordinates: LONDON }, 'coordinates', /GeoJSON Point object/],
      [
        'too many vertices',
        { coordinates: point(LONDON), geofence: { type: 'Polygon', coordinates: [[...ring1001, ring1001[0]]] } },
        'geofence.coordinates',
        /1001 vertices; at most 1000/,
      ],
      [
        'a geofence larger than the maximum area',
        { coordinates: point(LONDON), geofence: squarePolygon(LONDON, 3000) },
        'geofence',
        /covers 36\.\d+ km²; at most 25 km²/,
      ],
      [
        'a polygon far from its point (a swapped pair)',
        { coordinates: point([LONDON[1], LONDON[0]]), geofence: squarePolygon(LONDON, 50) },
        'coordinates',
        /km from the geofence/,
      ],
      [
        'a radius and a polygon',
        { coordinates: point(LONDON), geofence: squarePolygon(LONDON, 50), radius_m: 40 },
        'radius_m',
        /not both/,
      ],
      ['a radius under 10 m', { coordinates: point(LONDON), radius_m: 5 }, 'radius_m', /10/],
      ['a radius over 5 km', { coordinates: point(LONDON), radius_m: 5001 }, 'radius_m', /5000/],
      ['no coordinates', {}, 'coordinates', /./],
    ];

    it.each(cases)('%s', async (_name, body, field, message) => {
      const { tenant, token } = await f.tenantWithAdmin();
      const res = await f.as(token).post('/api/admin/locations', { name: 'Bad', ...body });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.stringMatching(message) }]));
      expect(await countOf(tenant.id, 'locations')).toBe(0);
      expect(await countOf(tenant.id, 'audit_log')).toBe(0);
    });
  });

  it('changes a location between radius and polygon, and refuses a bad change leaving it as it was', async () => {
    const { tenant, token } = await f.tenantWithAdmin();
    const id = await f.location(token, { name: 'Shop', coordinates: point(LONDON), radius_m: 60 });
    const geofence = squarePolygon(LONDON, 40);

    const toPolygon = await f.as(token).patch(`/api/admin/locations/${id}`, { geofence, name: 'Shop & café' });
    expect(toPolygon.status).toBe(200);
    expect(toPolygon.body).toMatchObject({ name: 'Shop & café', geofence_type: 'polygon', radius_m: null, geofence });

    const bowtie = {
      type: 'Polygon',
      coordinates: [[LONDON, offset(LONDON, 50, 50), offset(LONDON, 0, 50), offset(LONDON, 50, 0), LONDON]],
    };
    const refused = await f.as(token).patch(`/api/admin/locations/${id}`, { geofence: bowtie });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].message).toMatch(/Self-intersection/);
    expect((await f.as(token).get(`/api/admin/locations/${id}`)).body).toEqual(toPolygon.body);

    const back = await f.as(token).patch(`/api/admin/locations/${id}`, { geofence: null });
    expect(back.body).toMatchObject({ geofence_type: 'radius', radius_m: 100, geofence: null });
    const radius = await f.as(token).patch(`/api/admin/locations/${id}`, { radius_m: 250 });
    expect(radius.body).toMatchObject({ geofence_type: 'radius', radius_m: 250 });
    const moved = await f
      .as(token)
      .patch(`/api/admin/locations/${id}`, { coordinates: point(offset(LONDON, 1000, 0)) });
    expect(moved.body.coordinates.coordinates[1]).toBeCloseTo(LONDON[1] + 1000 / 111_320, 6);

    const actions = await f.inTenant<Array<{ action: string }>>(
      tenant.id,
      `SELECT action FROM audit_log WHERE target_id = $1 ORDER BY occurred_at, id`,
      [id],
    );
    expect(actions.map((row) => row.action)).toEqual([
      'location.created',
      'location.updated',
      'location.updated',
      'location.updated',
      'location.updated',
    ]);
  });

  it('soft-deletes: gone from reads, lists and search, kept in the table', async () => {
    const { tenant, token } = await f.tenantWithAdmin();
    const id = await f.location(token, { name: 'Closing down', coordinates: point(LONDON) });
    const customer = await f.customer(tenant);
    expect((await f.as(token).delete(`/api/admin/locations/${id}`)).status).toBe(204);
    expect((await f.as(token).get(`/api/admin/locations/${id}`)).status).toBe(404);
    expect((await f.as(token).patch(`/api/admin/locations/${id}`, { name: 'x' })).status).toBe(404);
    expect((await f.as(token).delete(`/api/admin/locations/${id}`)).status).toBe(404);
    expect((await f.as(token).get('/api/admin/locations')).body.data).toEqual([]);
    const nearby = await f.as(customer.token).get(`/api/locations/nearby?lat=${LONDON[1]}&lon=${LONDON[0]}`);
    expect(nearby.body.data).toEqual([]);
    const [row] = await f.inTenant<Array<{ deleted: boolean }>>(
      tenant.id,
      `SELECT deleted_at IS NOT NULL AS deleted FROM locations WHERE id = $1`,
      [id],
    );
    expect(row.deleted).toBe(true);
  });

  it('answers 404 for another tenant’s location and for a malformed id', async () => {
    const a = await f.tenantWithAdmin();
    const b = await f.tenantWithAdmin();
    const id = await f.location(a.token, { name: 'A only', coordinates: point(LONDON) });
    expect((await f.as(b.token).get(`/api/admin/locations/${id}`)).status).toBe(404);
    expect((await f.as(b.token).patch(`/api/admin/locations/${id}`, { name: 'mine' })).status).toBe(404);
    expect((await f.as(b.token).delete(`/api/admin/locations/${id}`)).status).toBe(404);
    expect((await f.as(b.token).get(`/api/admin/locations/${id}/analytics`)).status).toBe(404);
    expect((await f.as(b.token).get('/api/admin/locations')).body.data).toEqual([]);
    expect((await f.as(a.token).get('/api/admin/locations/not-a-uuid')).status).toBe(404);
    expect((await f.as(a.token).get(`/api/admin/locations/${id}`)).body.name).toBe('A only');
  });

  it('lets admins manage locations, API keys with locations:read read them, and nobody else', async () => {
    const { tenant, token } = await f.tenantWithAdmin();
    const id = await f.location(token, { name: 'Shop', coordinates: point(LONDON) });
    const staff = (await f.signIn(await f.account('staff', tenant))).access_token;
    const customer = await f.customer(tenant);
    for (const who of [staff, customer.token]) {
      expect((await f.as(who).post('/api/admin/locations', { name: 'x', coordinates: point(LONDON) })).status).toBe(
        403,
      );
      expect((await f.as(who).get('/api/admin/locations')).status).toBe(403);
    }
    const key = await f.as(token).post('/api/admin/api-keys', { name: 'POS', scopes: ['locations:read'] });
    const read = await f.as(key.body.secret).get(`/api/admin/locations/${id}`);
    expect(read.status).toBe(200);
    expect(
      (await f.as(key.body.secret).post('/api/admin/locations', { name: 'x', coordinates: point(LONDON) })).status,
    ).toBe(403);
  });

  it('pages through locations with a cursor', async () => {
    const { token } = await f.tenantWithAdmin({ plan: 'growth' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await f.location(token, { name: `L${i}`, coordinates: point(offset(LONDON, i, 0)) }));
    const first = await f.as(token).get('/api/admin/locations?limit=3');
    expect(first.body.data.map((row: { id: string }) => row.id)).toEqual(ids.slice(0, 3));
    const second = await f.as(token).get(`/api/admin/locations?limit=3&cursor=${first.body.next_cursor}`);
    expect(second.body).toMatchObject({ next_cursor: null });
    expect(second.body.data.map((row: { id: string }) => row.id)).toEqual(ids.slice(3));
  });

  it('enforces the plan’s location quota and counts live locations in the usage', async () => {
    const { tenant, token } = await f.tenantWithAdmin({ plan: 'starter' });
    const owner = (await f.signIn(await f.account('owner', tenant))).access_token;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push(await f.location(token, { name: `L${i}`, coordinates: point(offset(LONDON, 10 * i, 0)) }));
    const over = await f.as(token).post('/api/admin/locations', { name: 'Eleventh', coordinates: point(LONDON) });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'quota_exceeded', quota: 'locations', limit: 10 });
    expect((await f.as(owner).get(`/api/admin/tenants/${tenant.id}`)).body.usage.locations).toBe(10);

    await f.as(token).delete(`/api/admin/locations/${ids[0]}`);
    expect((await f.as(owner).get(`/api/admin/tenants/${tenant.id}`)).body.usage.locations).toBe(9);
    expect(
      (await f.as(token).post('/api/admin/locations', { name: 'Replacement', coordinates: point(LONDON) })).status,
    ).toBe(201);
  });

  it('refuses a second live location with the same external_id (409)', async () => {
    const { token } = await f.tenantWithAdmin();
    const first = await f.location(token, { name: 'A', external_id: 'S-1', coordinates: point(LONDON) });
    const clash = await f
      .as(token)
      .post('/api/admin/locations', { name: 'B', external_id: 'S-1', coordinates: point(LONDON) });
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('external_id_taken');
    await f.as(token).delete(`/api/admin/locations/${first}`);
    expect(
      (await f.as(token).post('/api/admin/locations', { name: 'B', external_id: 'S-1', coordinates: point(LONDON) }))
        .status,
    ).toBe(201);
  });
});
