import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/test-app';
import { LONDON, locationFixtures, point } from './locations-fixtures';

describe('GET /api/admin/locations/{id}/analytics', () => {
  let t: TestApp;
  let f: ReturnType<typeof locationFixtures>;

  beforeAll(async () => {
    t = await startTestApp();
    f = locationFixtures(t);
  });
  afterAll(async () => t?.close());

  /** Check-ins written straight into the table at chosen instants. */
  async function seed(tenantId: string, customerId: string, locationId: string, entries: Array<[string, boolean]>) {
    await f.inTenant(
      tenantId,
      `INSERT INTO checkins (tenant_id, customer_id, location_id, position, verified, reasons, occurred_at)
       SELECT $1, $2, $3, ST_SetSRID(ST_MakePoint(${LONDON[0]}, ${LONDON[1]}), 4326)::geography, e.verified,
              CASE WHEN e.verified THEN '{}'::text[] ELSE '{outside_geofence}' END, e.at
         FROM unnest($4::timestamptz[], $5::boolean[]) AS e(at, verified)`,
      [tenantId, customerId, locationId, entries.map(([when]) => when), entries.map(([, verified]) => verified)],
    );
  }

  it('counts check-ins per day and hour in the tenant’s time zone, with the share verified', async () => {
    const { tenant, token } = await f.tenantWithAdmin({ settings: { loyalty: { time_zone: 'Asia/Tokyo' } } as never });
    const id = await f.location(token, { name: 'Shibuya', coordinates: point(LONDON) });
    const customer = await f.customer(tenant);
    await seed(tenant.id, customer.id, id, [
      ['2026-03-01T14:59:00Z', true], // 23:59 on 1 March in Tokyo: outside the range
      ['2026-03-01T23:30:00Z', true], // 08:30 on 2 March
      ['2026-03-01T23:45:00Z', false],
      ['2026-03-02T00:10:00Z', true], // 09:10
      ['2026-03-03T14:59:59Z', false], // 23:59:59 on 3 March
      ['2026-03-03T15:00:00Z', true], // midnight, 4 March: outside
    ]);

    const res = await f.as(token).get(`/api/admin/locations/${id}/analytics?from=2026-03-02&to=2026-03-03`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      location_id: id,
      from: '2026-03-02',
      to: '2026-03-03',
      time_zone: 'Asia/Tokyo',
      totals: { checkins: 4, verified: 2, verified_ratio: 0.5 },
      by_day: [
        { date: '2026-03-02', checkins: 3, verified: 2, verified_ratio: 0.6667 },
        { date: '2026-03-03', checkins: 1, verified: 0, verified_ratio: 0 },
      ],
      by_hour: [
        { date: '2026-03-02', hour: 8, checkins: 2, verified: 1, verified_ratio: 0.5 },
        { date: '2026-03-02', hour: 9, checkins: 1, verified: 1, verified_ratio: 1 },
        { date: '2026-03-03', hour: 23, checkins: 1, verified: 0, verified_ratio: 0 },
      ],
    });
  });

  it('covers the last 30 days by default, counts check-ins made through the API and outlives the location', async () => {
    const { tenant, token } = await f.tenantWithAdmin();
    const id = await f.location(token, { name: 'Shop', coordinates: point(LONDON) });
    const customer = await f.customer(tenant);
    expect(
      (await f.as(customer.token).post('/api/checkin', { lat: LONDON[1], lon: LONDON[0], location_id: id })).body
        .verified,
    ).toBe(true);
    expect(
      (await f.as(customer.token).post('/api/checkin', { lat: LONDON[1], lon: LONDON[0], location_id: id })).body
        .reasons,
    ).toEqual(['cooldown']);
    await f.as(token).delete(`/api/admin/locations/${id}`);
    const res = await f.as(token).get(`/api/admin/locations/${id}/analytics`);
    expect(res.status).toBe(200);
    const days = (Date.parse(res.body.to) - Date.parse(res.body.from)) / 86_400_000 + 1;
    expect(days).toBe(30);
    expect(res.body.totals).toEqual({ checkins: 2, verified: 1, verified_ratio: 0.5 });
    expect(res.body.by_hour).toHaveLength(1);
  });

  it('answers an empty range with zeros and null ratios', async () => {
    const { token } = await f.tenantWithAdmin();
    const id = await f.location(token, { name: 'Quiet', coordinates: point(LONDON) });
    const res = await f.as(token).get(`/api/admin/locations/${id}/analytics?from=2020-01-01&to=2020-01-31`);
    expect(res.body).toMatchObject({
      totals: { checkins: 0, verified: 0, verified_ratio: null },
      by_day: [],
      by_hour: [],
    });
  });

  it.each([
    ['a date that does not exist', 'from=2026-02-30&to=2026-03-01', 'from'],
    ['a malformed date', 'from=1/3/2026', 'from'],
    ['from after to', 'from=2026-03-02&to=2026-03-01', 'from'],
    ['more than 366 days', 'from=2025-01-01&to=2026-03-01', 'to'],
  ])('refuses %s with a 400', async (_name, query, field) => {
    const { token } = await f.tenantWithAdmin();
    const id = await f.location(token, { name: 'Shop', coordinates: point(LONDON) });
    const res = await f.as(token).get(`/api/admin/locations/${id}/analytics?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('is read through the location index, over 500,000 check-ins at 50 locations', async () => {
    const { tenant, token } = await f.tenantWithAdmin({ plan: 'enterprise' });
    const customer = await f.customer(tenant);
    const ids = (
      await f.inTenant<Array<{ id: string }>>(
        tenant.id,
        `INSERT INTO locations (tenant_id, name, position, radius_m)
         SELECT $1, 'L' || i, ST_SetSRID(ST_MakePoint(0, 51), 4326)::geography, 100 FROM generate_series(1, 50) i
         RETURNING id`,
        [tenant.id],
      )
    ).map((row) => row.id);
    // Seeded as the owner (no statement timeout): a bulk load, not what the application does.
    const owner = new Client({ connectionString: t.database.ownerUrl });
    await owner.connect();
    try {
      await owner.query(`SELECT set_config('app.tenant_id', $1, false)`, [tenant.id]);
      await owner.query(
        `INSERT INTO checkins (tenant_id, customer_id, location_id, position, verified, occurred_at)
         SELECT $1, $2, ($3::uuid[])[1 + i % 50], ST_SetSRID(ST_MakePoint(0, 51), 4326)::geography, i % 200 >= 50,
                timestamptz '2026-01-01' + make_interval(secs => i * 30)
           FROM generate_series(0, 499999) i`,
        [tenant.id, customer.id, ids],
      );
      await owner.query('VACUUM ANALYZE checkins');
    } finally {
      await owner.end();
    }

    const started = performance.now();
    const res = await f.as(token).get(`/api/admin/locations/${ids[0]}/analytics?from=2026-01-01&to=2026-12-31`);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.totals).toEqual({ checkins: 10_000, verified: 7_500, verified_ratio: 0.75 });
    expect(res.body.by_day).toHaveLength(174);

    const plan = await f.inTenant<Array<{ 'QUERY PLAN': string }>>(
      tenant.id,
      `EXPLAIN SELECT count(*) FILTER (WHERE verified) FROM checkins
        WHERE tenant_id = $1 AND location_id = $2 AND occurred_at >= '2026-01-01' AND occurred_at < '2027-01-01'`,
      [tenant.id, ids[0]],
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Scan (on|using) checkins_location_idx/);
    expect(text).not.toMatch(/Seq Scan/);
    console.log(`analytics of 10,000 check-ins among 500,000: ${elapsed.toFixed(0)} ms through HTTP`);
  });
});
