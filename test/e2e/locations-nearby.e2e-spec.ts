import { Client } from 'pg';
import { runInTenant } from '../../src/database/tenant-transaction';
import { CHECKIN_SEARCH_BATCH, checkinFactsSql, NEARBY_SQL } from '../../src/modules/locations/location-sql';
import { startTestApp, TestApp } from '../support/test-app';
import { LONDON, locationFixtures, offset, point, squarePolygon } from './locations-fixtures';

describe('GET /api/locations/nearby', () => {
  let t: TestApp;
  let f: ReturnType<typeof locationFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    f = locationFixtures(t);
  });
  afterAll(async () => t?.close());

  const near = (token: string, query: string) => f.as(token).get(`/api/locations/nearby?${query}`);
  const at = ([lon, lat]: [number, number]) => `lat=${lat}&lon=${lon}`;

  it('lists the locations within the radius, nearest first, with distance_m, and only the caller’s tenant', async () => {
    const { tenant, token } = await f.tenantWithAdmin({ plan: 'growth' });
    const other = await f.tenantWithAdmin();
    await f.location(other.token, { name: 'Other tenant, right here', coordinates: point(LONDON) });
    const ids: Record<string, string> = {};
    for (const [name, north] of [
      ['far', 8000],
      ['300 m', 300],
      ['50 m', 50],
      ['2 km', 2000],
    ] as const) {
      ids[name] = await f.location(token, {
        name,
        coordinates: point(offset(LONDON, north, 0)),
        ...(name === '2 km' ? { geofence: squarePolygon(offset(LONDON, 2000, 0), 50) } : {}),
      });
    }
    const customer = await f.customer(tenant);

    const res = await near(customer.token, at(LONDON));
    expect(res.status).toBe(200);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.data.map((row: { name: string }) => row.name)).toEqual(['50 m', '300 m', '2 km']);
    const [first, second, third] = res.body.data;
    expect(first).toMatchObject({ id: ids['50 m'], geofence_type: 'radius', radius_m: 100, geofence: null });
    expect(first.distance_m).toBeGreaterThan(49);
    expect(first.distance_m).toBeLessThan(51);
    expect(second.distance_m).toBeCloseTo(300, -1);
    expect(third).toMatchObject({ geofence_type: 'polygon', radius_m: null, geofence: { type: 'Polygon' } });
    expect(first.coordinates).toEqual(point(offset(LONDON, 50, 0)));

    expect(
      (await near(customer.token, `${at(LONDON)}&limit=2`)).body.data.map((row: { name: string }) => row.name),
    ).toEqual(['50 m', '300 m']);
    expect((await near(customer.token, `${at(LONDON)}&radius_m=100`)).body.data).toHaveLength(1);
    expect((await near(customer.token, `${at(LONDON)}&radius_m=50000`)).body.data).toHaveLength(4);
    expect((await near(customer.token, at(offset(LONDON, 100_000, 0)))).body.data).toEqual([]);
  });

  it.each([
    ['NaN as latitude', 'lat=NaN&lon=0', 'lat'],
    ['a latitude out of range', 'lat=91&lon=0', 'lat'],
    ['latitude and longitude swapped (Sydney)', 'lat=151.2093&lon=-33.8688', 'lat'],
    ['a longitude out of range', 'lat=0&lon=-181', 'lon'],
    ['no longitude', 'lat=51', 'lon'],
    ['a word', 'lat=north&lon=0', 'lat'],
    ['a radius over 50 km', 'lat=0&lon=0&radius_m=50001', 'radius_m'],
    ['a limit over 100', 'lat=0&lon=0&limit=101', 'limit'],
  ])('answers 400 for %s', async (_name, query, field) => {
    const { tenant } = await f.tenantWithAdmin();
    const customer = await f.customer(tenant);
    const res = await near(customer.token, query);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('is for customers', async () => {
    const { token } = await f.tenantWithAdmin();
    expect((await near(token, at(LONDON))).status).toBe(403);
  });

  it('is served by the GiST index (KNN), over 20,000 locations; so is a check-in finding its location', async () => {
    const { tenant } = await f.tenantWithAdmin({ plan: 'enterprise' });
    await f.inTenant(
      tenant.id,
      `INSERT INTO locations (tenant_id, name, position, radius_m, geofence)
       SELECT $1, 'L' || i, centre, CASE WHEN i % 10 <> 0 THEN 50 END,
              CASE WHEN i % 10 = 0 THEN ST_Buffer(centre, 40, 4) END
         FROM (SELECT i, ST_SetSRID(ST_MakePoint(-0.5 + random(), 51 + random()), 4326)::geography AS centre
                 FROM generate_series(1, 20000) i) spots`,
      [tenant.id],
    );
    const owner = new Client({ connectionString: t.database.ownerUrl });
    await owner.connect();
    try {
      await owner.query('ANALYZE locations');
    } finally {
      await owner.end();
    }
    const plan = await f.inTenant<Array<{ 'QUERY PLAN': string }>>(tenant.id, `EXPLAIN ${NEARBY_SQL}`, [
      tenant.id,
      LONDON[0],
      LONDON[1],
      5000,
      20,
    ]);
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index Scan using locations_position_gist/);
    expect(text).toMatch(/Order By: \("position" <->/);
    expect(text).not.toMatch(/Seq Scan/);

    const customer = await f.customer(tenant);
    const facts = checkinFactsSql(CHECKIN_SEARCH_BATCH);
    const values = (locationId: string | null) => [tenant.id, customer.id, ...LONDON, locationId, 10, new Date(), 60];
    // Under row-level security, as the application runs it: the generic plan the check-in service
    // prepares once per connection, and a plan made for the values, as the statement was sent before.
    const explainFacts = async (locationId: string | null, generic: boolean): Promise<string> =>
      (
        await runInTenant(f.dataSource, tenant.id, async (manager): Promise<Array<{ 'QUERY PLAN': string }>> => {
          if (!generic) return manager.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${facts}`, values(locationId));
          await manager.query(`SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`);
          await manager.query(`PREPARE facts_plan AS ${facts}`);
          // EXECUTE's arguments are literals (a utility statement takes no bound parameters).
          const literals = values(locationId).map((value) =>
            value === null ? 'NULL' : `'${value instanceof Date ? value.toISOString() : String(value)}'`,
          );
          const plan = await manager.query(
            `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) EXECUTE facts_plan(${literals.join(', ')})`,
          );
          await manager.query('DEALLOCATE facts_plan');
          return plan;
        })
      )
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    const [someLocation] = await f.inTenant<Array<{ id: string }>>(tenant.id, `SELECT id FROM locations LIMIT 1`);
    for (const generic of [false, true]) {
      const found = await explainFacts(null, generic);
      expect(found).toMatch(
        /Index Scan using locations_position_gist[^\n]*\n\s*Index Cond[^\n]*\n\s*Order By: \("position" <->/,
      );
      expect(found).toMatch(
        /Index Scan using locations_geofence_gist[^\n]*\n\s*Index Cond[^\n]*\n\s*Order By: \(geofence <->/,
      );
      // Reading the tenant's locations some other way (a bitmap over all of them, as a generic plan
      // with the LIMIT as a parameter did) must never happen.
      const scans = found.split('\n').filter((line) => /(Seq Scan|Bitmap Heap Scan) on locations/.test(line));
      expect(scans.every((line) => line.includes('never executed'))).toBe(true);
      const named = await explainFacts(someLocation.id, generic);
      expect(named).toMatch(/Index Scan using "PK_[0-9a-f]+" on locations l \(actual rows=1/);
      expect(
        named
          .split('\n')
          .filter((line) => /locations_(position|geofence)_gist/.test(line))
          .join(),
      ).toMatch(/^$|never executed/);
    }

    const res = await near(customer.token, `${at(LONDON)}&limit=100`);
    expect(res.status).toBe(200);
    const distances = res.body.data.map((row: { distance_m: number }) => row.distance_m);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(distances.length).toBeGreaterThan(0);
    expect(Math.max(...distances)).toBeLessThanOrEqual(5000);
  });
});
