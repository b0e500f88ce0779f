import { startTestApp, TestApp } from '../support/test-app';
import { LONDON, locationFixtures, offset, point, squarePolygon, squareRing } from './locations-fixtures';

const MAX_FEATURES = 4000;

describe('POST /api/admin/locations/import', () => {
  let t: TestApp;
  let f: ReturnType<typeof locationFixtures>;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOCATION_IMPORT_MAX_FEATURES: String(MAX_FEATURES) } });
    f = locationFixtures(t);
  });
  afterAll(async () => t?.close());

  const countOf = async (tenantId: string) =>
    (await f.inTenant<Array<{ n: number }>>(tenantId, `SELECT count(*)::int AS n FROM locations`))[0].n;

  const pointFeature = (i: number, extra: object = {}) => ({
    type: 'Feature',
    id: `P-${i}`,
    geometry: point(offset(LONDON, (i % 60) * 40, Math.floor(i / 60) * 40)),
    properties: { name: `Store ${i}`, radius_m: 25, ...extra },
  });
  const polygonFeature = (i: number) => ({
    type: 'Feature',
    id: `G-${i}`,
    geometry: squarePolygon(offset(LONDON, -5000 - (i % 50) * 100, (Math.floor(i / 50) - 5) * 100), 30),
    properties: { name: `Hall ${i}`, address: `${i} Market St` },
  });

  it('creates thousands of locations in one request and answers each refused feature with its reasons', async () => {
    const { tenant, token } = await f.tenantWithAdmin({ plan: 'enterprise' });
    const existing = await f.location(token, {
      name: 'Already here',
      external_id: 'P-taken',
      coordinates: point(LONDON),
    });

    const features: object[] = [];
    for (let i = 0; i < 2700; i++) features.push(pointFeature(i));
    for (let i = 0; i < 300; i++) features.push(polygonFeature(i));
    const bad: Array<[object, RegExp]> = [
      [
        { ...pointFeature(9001), geometry: point([LONDON[1], 151.2]) },
        /geometry\.coordinates\[1\]: latitude 151\.2 .*swapped/,
      ],
      [
        {
          ...polygonFeature(9002),
          geometry: {
            type: 'Polygon',
            coordinates: [[LONDON, offset(LONDON, 100, 100), offset(LONDON, 0, 100), offset(LONDON, 100, 0), LONDON]],
          },
        },
        /geometry: is not a valid geometry: Self-intersection/,
      ],
      [
        {
          ...polygonFeature(9003),
          geometry: { type: 'Polygon', coordinates: [squareRing(LONDON, 20).slice(0, 4).concat([LONDON])] },
        },
        /not closed/,
      ],
      [{ ...pointFeature(9004), geometry: { type: 'LineString', coordinates: [LONDON, LONDON] } }, /geometry\.type/],
      [{ ...pointFeature(9005), properties: { radius_m: 25 } }, /properties\.name: is required/],
      [{ ...pointFeature(9006), geometry: { type: 'Point', coordinates: ['NaN', 51] } }, /finite numbers/],
      [pointFeature(17), /repeats the id of features\[17\]/],
      [{ ...pointFeature(9008), id: 'P-taken' }, new RegExp(`external_id of location ${existing}`)],
      [{ ...pointFeature(9009), properties: { name: 'x', radius_m: 9000 } }, /radius_m/],
      [{ type: 'Feature', geometry: squarePolygon(LONDON, 4000), properties: { name: 'Huge' } }, /km²/],
    ];
    const badIndexes: number[] = [];
    for (const [feature] of bad) {
      badIndexes.push(features.length);
      features.push(feature);
    }

    const res = await f.as(token).post('/api/admin/locations/import', { type: 'FeatureCollection', features });
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(3000);
    expect(res.body.rejected).toBe(bad.length);
    expect(res.body.location_ids).toHaveLength(3000);
    expect(res.body.rejects.map((reject: { index: number }) => reject.index)).toEqual(badIndexes);
    bad.forEach(([, reason], position) => expect(res.body.rejects[position].reason).toMatch(reason));
    expect(res.body.rejects[0]).toMatchObject({
      id: 'P-9001',
      errors: [{ field: `features[${badIndexes[0]}].geometry.coordinates[1]` }],
    });
    expect(await countOf(tenant.id)).toBe(3001);

    // A polygon feature without a point gets one on its surface; ids became external ids.
    const [hall] = await f.inTenant<Array<{ inside: boolean; external_id: string; address: string }>>(
      tenant.id,
      `SELECT ST_Covers(geofence, position) AS inside, external_id, address FROM locations WHERE id = $1`,
      [res.body.location_ids[2700]],
    );
    expect(hall).toEqual({ inside: true, external_id: 'G-0', address: '0 Market St' });
    const [audit] = await f.inTenant<Array<{ action: string; after: object }>>(
      tenant.id,
      `SELECT action, after FROM audit_log WHERE action = 'location.imported'`,
    );
    expect(audit.after).toEqual({ features: features.length, created: 3000, rejected: bad.length });
  });

  it('replays an import sent again with the same Idempotency-Key', async () => {
    const { tenant, token } = await f.tenantWithAdmin();
    const body = { type: 'FeatureCollection', features: [pointFeature(1), pointFeature(2)] };
    const first = await f.as(token).post('/api/admin/locations/import', body, { 'idempotency-key': 'import-1' });
    const again = await f.as(token).post('/api/admin/locations/import', body, { 'idempotency-key': 'import-1' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await countOf(tenant.id)).toBe(2);
  });

  it('imports nothing when the features accepted would pass the plan’s quota', async () => {
    const { tenant, token } = await f.tenantWithAdmin({ plan: 'starter' });
    await f.location(token, { name: 'First', coordinates: point(LONDON) });
    const features = Array.from({ length: 10 }, (_, i) => pointFeature(i));
    const res = await f.as(token).post('/api/admin/locations/import', { type: 'FeatureCollection', features });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'quota_exceeded', quota: 'locations', limit: 10 });
    expect(await countOf(tenant.id)).toBe(1);

    // Refused features do not count against the quota.
    const withBad = [...features.slice(0, 9), { ...pointFeature(99), properties: {} }];
    const fits = await f
      .as(token)
      .post('/api/admin/locations/import', { type: 'FeatureCollection', features: withBad });
    expect(fits.status).toBe(201);
    expect(fits.body).toMatchObject({ created: 9, rejected: 1 });
    expect(await countOf(tenant.id)).toBe(10);
  });

  it.each([
    [
      'a Feature instead of a FeatureCollection',
      { type: 'Feature', geometry: point(LONDON), properties: { name: 'x' } },
      'type',
    ],
    ['features that are not an array', { type: 'FeatureCollection', features: {} }, 'features'],
    ['no features', { type: 'FeatureCollection', features: [] }, 'features'],
    ['a Geometry', point(LONDON), 'type'],
  ])('refuses %s with a 400 (nothing written)', async (_name, body, field) => {
    const { tenant, token } = await f.tenantWithAdmin();
    const res = await f.as(token).post('/api/admin/locations/import', body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await countOf(tenant.id)).toBe(0);
  });

  it(`refuses more than LOCATION_IMPORT_MAX_FEATURES (${MAX_FEATURES}) features`, async () => {
    const { tenant, token } = await f.tenantWithAdmin({ plan: 'enterprise' });
    const features = Array.from({ length: MAX_FEATURES + 1 }, (_, i) => ({
      type: 'Feature',
      geometry: point(LONDON),
      properties: { name: `${i}` },
    }));
    const res = await f.as(token).post('/api/admin/locations/import', { type: 'FeatureCollection', features });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toEqual({
      field: 'features',
      message: `holds ${MAX_FEATURES + 1} features; at most ${MAX_FEATURES} per import`,
    });
    expect(await countOf(tenant.id)).toBe(0);
  });

  it('accepts the members GIS tools add to a FeatureCollection', async () => {
    const { token } = await f.tenantWithAdmin();
    const res = await f.as(token).post('/api/admin/locations/import', {
      type: 'FeatureCollection',
      name: 'stores',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } },
      bbox: [-1, 51, 0, 52],
      features: [pointFeature(1)],
    });
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(1);
  });
});
