/**
 * SQL shared by the location and check-in services. Distances are on the sphere (the
 * `use_spheroid = false` variants), the metric the GiST KNN operator `<->` uses, so a distance
 * reported by nearby search and one judged at check-in are the same number.
 */

/** The GeoJSON of a location and its geofence, as the API returns them. */
export const LOCATION_COLUMNS = `id, name, address, external_id, ST_AsGeoJSON(position)::json AS coordinates, radius_m,
  ST_AsGeoJSON(geofence)::json AS geofence,
  CASE WHEN geofence IS NULL THEN pi() * radius_m ^ 2 ELSE ST_Area(geofence) END AS area_m2, created_at, updated_at`;

/** A WGS 84 point from longitude and latitude parameters. */
export const pointFrom = (lon: string, lat: string): string =>
  `ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)::geography`;

/** A polygon geofence may lie at most this far (m) from its location's point: farther, a pair was probably swapped. */
export const POINT_TO_GEOFENCE_MAX_M = 5000;

/**
 * The nearest live locations within a radius, nearest first. $1 tenant, $2 longitude,
 * $3 latitude, $4 radius (m), $5 limit.
 *
 * The inner query is a pure KNN walk of the GiST index (`ORDER BY position <-> point LIMIT n`
 * stops after n rows); the radius then only trims that short list, which gives the same answer
 * as filtering first. Putting ST_DWithin inside instead lets the planner, which badly
 * underestimates how many locations it matches, pick a bitmap scan that reads every location
 * in the radius and sorts them (150 ms instead of 0.2 ms over 100k locations with a 50 km radius).
 */
export const NEARBY_SQL = `
SELECT id, name, address, ST_AsGeoJSON(position)::json AS coordinates, radius_m,
       ST_AsGeoJSON(geofence)::json AS geofence, distance_m
  FROM (SELECT id, name, address, position, radius_m, geofence,
               position <-> ${pointFrom('$2::float8', '$3::float8')} AS distance_m
          FROM locations
         WHERE tenant_id = $1 AND deleted_at IS NULL
         ORDER BY position <-> ${pointFrom('$2::float8', '$3::float8')}
         LIMIT $5) nearest
 WHERE distance_m <= $4
 ORDER BY distance_m, id`;

const POINT = pointFrom('$3::float8', '$4::float8');

/** How many nearest geofences of each kind a check-in without location_id examines at first. */
export const CHECKIN_SEARCH_BATCH = 32;

/**
 * Everything a check-in's verdict needs, in one statement: the location (named, or found
 * around the point), whether the point is inside its geofence, and the customer's recent
 * verified check-ins. $1 tenant, $2 customer, $3 longitude, $4 latitude, $5 location id or
 * null, $6 GPS tolerance (m), $7 now, $8 cooldown (minutes).
 *
 * Finding the location walks the GiST indexes in nearest-first (KNN) order, never with a
 * spatial condition: under row-level security PostgreSQL will not evaluate PostGIS's operators
 * (not LEAKPROOF) inside an index scan, so `ST_DWithin`/`ST_Covers` there degrade to reading
 * every location of the tenant, while an ORDER BY `<->` still drives the index. The `batch` nearest
 * radius locations and the `batch` nearest polygons are then tested exactly. `search_exhausted`
 * says the batch may have stopped short (its farthest radius location still within the
 * largest radius in use, or `batch` polygons all touching the point): the caller asks again with
 * a larger batch.
 *
 * The batch is part of the text, not a parameter, so that the statement can be prepared with one
 * generic plan (CheckinsService does): planning it costs about three times running it. With the
 * LIMIT a parameter, the generic plan must guess how many rows the search takes, guesses a tenth
 * of the tenant's locations, and reads them all through a bitmap scan.
 */
export function checkinFactsSql(batch: number): string {
  if (!Number.isSafeInteger(batch) || batch < 1) throw new Error(`search batch ${batch}`);
  let sql = factsByBatch.get(batch);
  if (sql === undefined) {
    sql = factsStatement(batch);
    factsByBatch.set(batch, sql);
  }
  return sql;
}

const factsByBatch = new Map<number, string>();

const factsStatement = (batch: number) => `
WITH nearest AS (
  SELECT l.id, l.name, l.radius_m, l.position <-> ${POINT} AS distance_m,
         ST_DWithin(l.position, ${POINT}, l.radius_m + $6, false) AS inside
    FROM locations l
   WHERE $5::uuid IS NULL AND l.tenant_id = $1 AND l.deleted_at IS NULL AND l.geofence IS NULL
   ORDER BY l.position <-> ${POINT}
   LIMIT ${batch}
),
touching AS (
  SELECT l.id, l.name, l.position <-> ${POINT} AS distance_m, l.geofence <-> ${POINT} AS fence_distance_m,
         ST_Covers(l.geofence, ${POINT}) AS inside
    FROM locations l
   WHERE $5::uuid IS NULL AND l.tenant_id = $1 AND l.deleted_at IS NULL AND l.geofence IS NOT NULL
   ORDER BY l.geofence <-> ${POINT}
   LIMIT ${batch}
),
candidate AS (
  SELECT id, name, distance_m, inside FROM (
    SELECT l.id, l.name, l.position <-> ${POINT} AS distance_m,
           CASE WHEN l.geofence IS NULL THEN ST_DWithin(l.position, ${POINT}, l.radius_m + $6, false)
                ELSE ST_Covers(l.geofence, ${POINT}) END AS inside
      FROM locations l
     WHERE l.tenant_id = $1 AND l.id = $5::uuid AND l.deleted_at IS NULL
    UNION ALL
    SELECT id, name, distance_m, inside FROM nearest WHERE inside
    UNION ALL
    SELECT id, name, distance_m, inside FROM touching WHERE inside
  ) found
  ORDER BY inside DESC, distance_m, id
  LIMIT 1
),
today AS (
  SELECT date_trunc('day', $7::timestamptz AT TIME ZONE zone.name) AT TIME ZONE zone.name AS starts_at
    FROM (SELECT COALESCE((SELECT settings #>> '{loyalty,time_zone}' FROM tenants WHERE id = $1), 'UTC') AS name) zone
)
SELECT (SELECT status FROM customers WHERE tenant_id = $1 AND id = $2) AS customer_status,
       EXISTS (SELECT 1 FROM programs WHERE tenant_id = $1 AND is_default AND status = 'active') AS earns,
       c.id AS location_id, c.name AS location_name, c.distance_m, c.inside,
       (SELECT count(*) = ${batch} AND max(distance_m) <= (SELECT max(radius_m) FROM locations
                                                      WHERE tenant_id = $1 AND deleted_at IS NULL AND radius_m IS NOT NULL) + $6
          FROM nearest)
       OR (SELECT count(*) = ${batch} AND max(fence_distance_m) = 0 FROM touching) AS search_exhausted,
       (SELECT extract(epoch FROM $7::timestamptz - max(h.occurred_at))::float8
          FROM checkins h
         WHERE h.tenant_id = $1 AND h.customer_id = $2 AND h.verified AND h.location_id = c.id
           AND h.occurred_at > $7::timestamptz - make_interval(mins => $8)) AS seconds_since_last_here,
       (SELECT count(*) FROM checkins h, today
         WHERE h.tenant_id = $1 AND h.customer_id = $2 AND h.verified AND h.occurred_at >= today.starts_at)::int
         AS verified_today,
       previous.distance_m AS previous_distance_m, previous.seconds_ago AS previous_seconds_ago,
       previous.accuracy_m AS previous_accuracy_m
  FROM (SELECT 1) one
  LEFT JOIN candidate c ON true
  LEFT JOIN LATERAL (
    SELECT h.position <-> ${POINT} AS distance_m,
           extract(epoch FROM $7::timestamptz - h.occurred_at)::float8 AS seconds_ago, h.accuracy_m
      FROM checkins h
     WHERE h.tenant_id = $1 AND h.customer_id = $2 AND h.verified
     ORDER BY h.occurred_at DESC
     LIMIT 1) previous ON true`;
