import * as turf from '@turf/turf';
import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';
import { DataSource, EntityManager } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { runInTenant } from '../../src/database/tenant-transaction';
import { CHECKIN_SEARCH_BATCH, checkinFactsSql } from '../../src/modules/locations/location-sql';
import { factories } from '../support/factories';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * The geofence verdicts of the check-in statement (PostGIS, geography) against an independent
 * implementation (Turf), on thousands of random points near radius boundaries and polygon edges
 * all over the globe. Points within 0.5 m of a boundary may go either way (floating point, and
 * Turf draws polygon edges straight in longitude/latitude where PostGIS follows great circles:
 * under 0.25 m apart for the ≤ 2 km edges drawn here); anywhere else both must agree.
 */

const MARGIN_M = 0.5;
const SEED = Number(process.env.GEOMETRY_SEED ?? 20260514);

/** mulberry32: a small seeded generator, so a failure can be replayed with GEOMETRY_SEED. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, between: (min: number, max: number) => min + (max - min) * next() };
}

const metres = { units: 'meters' as const };

interface Probe {
  lon: number;
  lat: number;
  toleranceM: number;
  /** Turf's verdict. */
  inside: boolean;
  /** Distance from the boundary that decides (radius + tolerance, or the polygon's rings), per Turf. */
  marginM: number;
}

interface Fence {
  id?: string;
  centre: Position;
  radiusM?: number;
  area?: Feature<Polygon | MultiPolygon>;
  probes: Probe[];
}

describe('geofence verdicts: PostGIS against Turf', () => {
  let database: TestDatabase;
  let app: DataSource;
  let tenantId: string;
  let customerId: string;
  const random = generator(SEED);

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createDataSource({ url: database.appUrl, poolSize: 2 }).initialize();
    const make = factories(app);
    tenantId = (await make.tenant({ plan: 'enterprise' })).id;
    customerId = (await make.customer(tenantId)).id;
  });

  afterAll(async () => {
    await app?.destroy();
    await database?.drop();
  });

  /** A centre anywhere between 70°S and 70°N, at least 20 km from the other fences (so searches find only it). */
  function centres(count: number): Position[] {
    const chosen: Position[] = [];
    while (chosen.length < count) {
      const candidate = [random.between(-179, 179), random.between(-70, 70)];
      if (chosen.every((other) => turf.distance(other, candidate, metres) > 20_000)) chosen.push(candidate);
    }
    return chosen;
  }

  function radiusFence(centre: Position): Fence {
    const radiusM = random.next() < 0.3 ? random.between(10, 100) : random.between(100, 5000);
    const probes: Probe[] = [];
    for (let i = 0; i < 60; i++) {
      const toleranceM = random.next() < 0.5 ? 0 : random.between(0, 100);
      const reach = radiusM + toleranceM;
      const distance = Math.max(0, reach + random.between(-Math.min(20, reach), 20));
      const [lon, lat] = turf.destination(centre, distance, random.between(-180, 180), metres).geometry.coordinates;
      const actual = turf.distance(centre, [lon, lat], metres);
      probes.push({ lon, lat, toleranceM, inside: actual <= reach, marginM: Math.abs(actual - reach) });
    }
    return { centre, radiusM, probes };
  }

  /** A star-shaped ring (simple by construction) of `corners` corners, radii in [0.5, 1] × `size`. */
  function starRing(centre: Position, size: number, corners: number): Position[] {
    const ring = Array.from({ length: corners }, (_, i) => {
      const bearing = -180 + (360 * (i + random.between(0.1, 0.9))) / corners;
      return turf.destination(centre, size * random.between(0.5, 1), bearing, metres).geometry.coordinates;
    });
    return [...ring, ring[0]];
  }

  function polygonFence(centre: Position): Fence {
    const size = random.between(60, 1000);
    const outer = starRing(centre, size, 6 + Math.floor(random.next() * 24));
    const rings: Position[][] = [outer];
    if (random.next() < 0.3) rings.push(starRing(centre, size * 0.2, 6).reverse());
    const area: Feature<Polygon | MultiPolygon> =
      random.next() < 0.25
        ? turf.multiPolygon([
            rings,
            [starRing(turf.destination(centre, 3 * size, 90, metres).geometry.coordinates, size, 8)],
          ])
        : turf.polygon(rings);
    const allRings = area.geometry.type === 'Polygon' ? area.geometry.coordinates : area.geometry.coordinates.flat();
    const probes: Probe[] = [];
    for (let i = 0; i < 60; i++) {
      const ring = allRings[Math.floor(random.next() * allRings.length)];
      const edge = Math.floor(random.next() * (ring.length - 1));
      const [from, to] = [ring[edge], ring[edge + 1]];
      const along = turf.destination(
        from,
        turf.distance(from, to, metres) * random.next(),
        turf.bearing(from, to),
        metres,
      );
      const sideways = turf.bearing(from, to) + (random.next() < 0.5 ? 90 : -90);
      const [lon, lat] = turf.destination(along, random.between(0, 25), sideways, metres).geometry.coordinates;
      const marginM = Math.min(
        ...allRings.map((line) => turf.pointToLineDistance([lon, lat], turf.lineString(line), metres)),
      );
      probes.push({
        lon,
        lat,
        toleranceM: random.between(0, 50),
        inside: turf.booleanPointInPolygon([lon, lat], area),
        marginM,
      });
    }
    return { centre, area, probes };
  }

  async function insert(manager: EntityManager, fence: Fence): Promise<string> {
    const [row] = (await manager.query(
      `INSERT INTO locations (tenant_id, name, position, radius_m, geofence)
       VALUES ($1, 'fence', ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, $4, ST_GeomFromGeoJSON($5)::geography)
       RETURNING id`,
      [
        tenantId,
        fence.centre[0],
        fence.centre[1],
        fence.radiusM ?? null,
        fence.area ? JSON.stringify(fence.area.geometry) : null,
      ],
    )) as Array<{ id: string }>;
    return row.id;
  }

  /** PostGIS's verdict through the production statement: named (location_id) or searched (none). */
  async function verdict(manager: EntityManager, fence: Fence, probe: Probe, named: boolean): Promise<boolean> {
    const [facts] = (await manager.query(checkinFactsSql(CHECKIN_SEARCH_BATCH), [
      tenantId,
      customerId,
      probe.lon,
      probe.lat,
      named ? fence.id : null,
      probe.toleranceM,
      new Date(),
      60,
    ])) as Array<{ location_id: string | null; inside: boolean | null }>;
    if (named) return facts.inside === true;
    if (facts.location_id !== null && facts.location_id !== fence.id) throw new Error('found another fence');
    return facts.location_id === fence.id;
  }

  it(`agrees on thousands of points near radius and polygon boundaries (seed ${SEED})`, async () => {
    const spots = centres(120);
    const fences = spots.map((centre, i) => (i % 2 === 0 ? radiusFence(centre) : polygonFence(centre)));
    const disagreements: string[] = [];
    let compared = 0;
    let near = 0;
    const insideCount = { radius: 0, polygon: 0 };
    await runInTenant(app, tenantId, async (manager) => {
      // As the check-in path runs it (see CheckinsService).
      await manager.query(`SELECT set_config('jit', 'off', true)`);
      for (const fence of fences) fence.id = await insert(manager, fence);
      for (const fence of fences) {
        const kind = fence.radiusM !== undefined ? 'radius' : 'polygon';
        for (const probe of fence.probes) {
          if (probe.marginM <= MARGIN_M) continue;
          compared += 1;
          if (probe.marginM <= 5) near += 1;
          if (probe.inside) insideCount[kind] += 1;
          for (const named of [true, false]) {
            // A polygon is judged without tolerance: Turf's containment is the whole verdict.
            const expected = probe.inside;
            const actual = await verdict(manager, fence, probe, named);
            if (actual !== expected) {
              disagreements.push(
                `${kind} ${named ? 'named' : 'searched'} at [${probe.lon}, ${probe.lat}] tolerance ${probe.toleranceM.toFixed(2)} m: ` +
                  `Turf ${expected}, PostGIS ${actual}, ${probe.marginM.toFixed(3)} m from the boundary`,
              );
            }
          }
        }
      }
    });
    expect(disagreements.slice(0, 20)).toEqual([]);
    // The sample is what it claims: thousands of points, many within metres of a boundary, both verdicts.
    expect(compared).toBeGreaterThan(6500);
    expect(near).toBeGreaterThan(500);
    expect(insideCount.radius).toBeGreaterThan(1000);
    expect(insideCount.polygon).toBeGreaterThan(1000);
  }, 180_000);
});
