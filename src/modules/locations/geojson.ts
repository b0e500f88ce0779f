/**
 * Structural checks of the GeoJSON (RFC 7946) a client sends for a location: types, position
 * order and ranges, closed rings, vertex count. What needs real geometry (self-intersections,
 * area) is checked by PostGIS afterwards; this catches everything that would make PostGIS throw
 * or silently accept a malformed shape (ST_GeomFromGeoJSON takes an unclosed ring as it is).
 */

/** [longitude, latitude], as GeoJSON orders them. */
export type Position = [number, number];

export interface PointGeometry {
  type: 'Point';
  coordinates: Position;
}

export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Position[][];
}

export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}

/** What a geofence may be. */
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

export interface GeoProblem {
  field: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: GeoProblem[] };

/** A geofence polygon with more vertices than this is refused (closing positions count, as in ST_NPoints). */
export const MAX_GEOFENCE_VERTICES = 1000;

/** One malformed geometry yields at most this many problems, so a broken 1,000-vertex ring answers briefly. */
const MAX_PROBLEMS = 10;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? `"${value}"` : typeof value;

class Problems {
  readonly list: GeoProblem[] = [];

  add(field: string, message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ field, message });
  }

  get full(): boolean {
    return this.list.length >= MAX_PROBLEMS;
  }
}

/**
 * A position: two finite numbers (a third, the altitude, is allowed and dropped), longitude in
 * [-180, 180] then latitude in [-90, 90]. A latitude out of range with a longitude that would
 * have been a valid latitude is most likely a swapped pair, and the message says so.
 */
function checkPosition(input: unknown, field: string, problems: Problems): Position | null {
  if (!Array.isArray(input) || input.length < 2 || input.length > 3) {
    problems.add(field, 'must be a position [longitude, latitude]');
    return null;
  }
  if (!input.every((part) => typeof part === 'number' && Number.isFinite(part))) {
    problems.add(field, 'must hold finite numbers [longitude, latitude]');
    return null;
  }
  const [longitude, latitude] = input as number[];
  let ok = true;
  if (longitude < -180 || longitude > 180) {
    problems.add(`${field}[0]`, `longitude ${longitude} is out of range [-180, 180]`);
    ok = false;
  }
  if (latitude < -90 || latitude > 90) {
    const swapped = Math.abs(longitude) <= 90 && Math.abs(latitude) <= 180;
    problems.add(
      `${field}[1]`,
      `latitude ${latitude} is out of range [-90, 90]` +
        (swapped ? '; GeoJSON positions are [longitude, latitude]: are the two swapped?' : ''),
    );
    ok = false;
  }
  return ok ? [longitude, latitude] : null;
}

function checkRing(input: unknown, field: string, problems: Problems): Position[] | null {
  if (!Array.isArray(input)) {
    problems.add(field, 'must be a linear ring: an array of positions');
    return null;
  }
  if (input.length < 4) {
    problems.add(
      field,
      `a linear ring needs at least 4 positions (3 corners and the first repeated), got ${input.length}`,
    );
    return null;
  }
  const ring: Position[] = [];
  for (const [index, position] of input.entries()) {
    if (problems.full) return null;
    const checked = checkPosition(position, `${field}[${index}]`, problems);
    if (checked) ring.push(checked);
  }
  if (ring.length !== input.length) return null;
  const [first, last] = [ring[0], ring[ring.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    problems.add(field, 'the ring is not closed: its last position must repeat its first');
    return null;
  }
  return ring;
}

function checkPolygonRings(input: unknown, field: string, problems: Problems): Position[][] | null {
  if (!Array.isArray(input) || input.length === 0) {
    problems.add(field, 'must be an array of linear rings (the outer ring, then any holes)');
    return null;
  }
  const rings: Position[][] = [];
  for (const [index, ring] of input.entries()) {
    const checked = checkRing(ring, `${field}[${index}]`, problems);
    if (checked) rings.push(checked);
  }
  return rings.length === input.length ? rings : null;
}

function checkType(input: unknown, field: string, allowed: readonly string[]): GeoProblem | null {
  const wanted = allowed.length === 1 ? `a GeoJSON ${allowed[0]}` : `a GeoJSON ${allowed.join(' or ')}`;
  if (!isRecord(input)) return { field, message: `must be ${wanted} object, got ${describe(input)}` };
  if (typeof input.type !== 'string' || !allowed.includes(input.type)) {
    return {
      field: `${field}.type`,
      message: `must be ${allowed.map((type) => `"${type}"`).join(' or ')}, got ${describe(input.type)}`,
    };
  }
  return null;
}

/** A GeoJSON Point: the coordinates of a location or a check-in. */
export function checkPoint(input: unknown, field: string): Checked<PointGeometry> {
  const wrongType = checkType(input, field, ['Point']);
  if (wrongType) return { ok: false, problems: [wrongType] };
  const problems = new Problems();
  const position = checkPosition((input as Record<string, unknown>).coordinates, `${field}.coordinates`, problems);
  return position
    ? { ok: true, value: { type: 'Point', coordinates: position } }
    : { ok: false, problems: problems.list };
}

/** A geofence: a GeoJSON Polygon or MultiPolygon with closed rings and at most MAX_GEOFENCE_VERTICES vertices. */
export function checkArea(input: unknown, field: string): Checked<AreaGeometry> {
  const wrongType = checkType(input, field, ['Polygon', 'MultiPolygon']);
  if (wrongType) return { ok: false, problems: [wrongType] };
  const geometry = input as { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
  const problems = new Problems();
  const coordinatesField = `${field}.coordinates`;
  let value: AreaGeometry | null = null;
  if (geometry.type === 'Polygon') {
    const rings = checkPolygonRings(geometry.coordinates, coordinatesField, problems);
    if (rings) value = { type: 'Polygon', coordinates: rings };
  } else if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0) {
    problems.add(coordinatesField, 'must be an array of polygons');
  } else {
    const polygons: Position[][][] = [];
    for (const [index, polygon] of geometry.coordinates.entries()) {
      const rings = checkPolygonRings(polygon, `${coordinatesField}[${index}]`, problems);
      if (rings) polygons.push(rings);
    }
    if (polygons.length === geometry.coordinates.length) value = { type: 'MultiPolygon', coordinates: polygons };
  }
  if (!value) return { ok: false, problems: problems.list };
  const vertices = vertexCount(value);
  if (vertices > MAX_GEOFENCE_VERTICES) {
    return {
      ok: false,
      problems: [
        { field: coordinatesField, message: `has ${vertices} vertices; at most ${MAX_GEOFENCE_VERTICES} are allowed` },
      ],
    };
  }
  return { ok: true, value };
}

/** Every position of every ring, closing positions included (what ST_NPoints counts). */
export function vertexCount(geometry: AreaGeometry): number {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.reduce((sum, rings) => sum + rings.reduce((inner, ring) => inner + ring.length, 0), 0);
}
