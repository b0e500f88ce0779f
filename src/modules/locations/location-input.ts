import { AreaGeometry, checkArea, checkPoint, GeoProblem, Position } from './geojson';

/** A radius geofence is between 10 m and 5 km. */
export const RADIUS_LIMITS_M = { min: 10, max: 5000 } as const;

/** The geofence of a location given neither a radius nor a polygon. */
export const DEFAULT_RADIUS_M = 100;

export const NAME_MAX = 200;
export const ADDRESS_MAX = 500;
export const EXTERNAL_ID_MAX = 200;

/** A location as it will be stored, once PostGIS has also accepted its geofence. */
export interface LocationDraft {
  name: string;
  address: string | null;
  externalId: string | null;
  /** Null only for an imported polygon without a point: PostGIS then takes a point on its surface. */
  point: Position | null;
  radiusM: number | null;
  geofence: AreaGeometry | null;
}

/** The fields of a location as a client sends them (JSON body or an imported feature). */
export interface LocationFields {
  name?: unknown;
  address?: unknown;
  external_id?: unknown;
  coordinates?: unknown;
  geofence?: unknown;
  radius_m?: unknown;
}

export type Drafted = { ok: true; draft: LocationDraft } | { ok: false; problems: GeoProblem[] };

const join = (prefix: string, field: string) => (prefix ? `${prefix}.${field}` : field);

function optionalText(value: unknown, field: string, max: number, problems: GeoProblem[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    problems.push({ field, message: `must be a non-blank string of at most ${max} characters` });
    return null;
  }
  return value.trim();
}

/**
 * Checks a location's fields and settles its geofence: a polygon, or a radius (10 m to 5 km,
 * 100 m when neither is given), never both. `pointOptional` is for an imported polygon feature,
 * whose point may be derived from the polygon.
 */
export function draftLocation(fields: LocationFields, prefix = '', pointOptional = false): Drafted {
  const problems: GeoProblem[] = [];
  const name =
    fields.name === undefined || fields.name === null
      ? (problems.push({ field: join(prefix, 'name'), message: 'is required' }), null)
      : optionalText(fields.name, join(prefix, 'name'), NAME_MAX, problems);
  const address = optionalText(fields.address, join(prefix, 'address'), ADDRESS_MAX, problems);
  const externalId = optionalText(fields.external_id, join(prefix, 'external_id'), EXTERNAL_ID_MAX, problems);

  let point: Position | null = null;
  if (fields.coordinates === undefined || fields.coordinates === null) {
    if (!pointOptional) problems.push({ field: join(prefix, 'coordinates'), message: 'is required: a GeoJSON Point' });
  } else {
    const checked = checkPoint(fields.coordinates, join(prefix, 'coordinates'));
    if (checked.ok) point = checked.value.coordinates;
    else problems.push(...checked.problems);
  }

  let geofence: AreaGeometry | null = null;
  const hasGeofence = fields.geofence !== undefined && fields.geofence !== null;
  if (hasGeofence) {
    const checked = checkArea(fields.geofence, join(prefix, 'geofence'));
    if (checked.ok) geofence = checked.value;
    else problems.push(...checked.problems);
  }

  let radiusM: number | null = null;
  const hasRadius = fields.radius_m !== undefined && fields.radius_m !== null;
  if (hasRadius && hasGeofence) {
    problems.push({ field: join(prefix, 'radius_m'), message: 'give either radius_m or a geofence polygon, not both' });
  } else if (hasRadius) {
    const radius = fields.radius_m;
    if (
      typeof radius !== 'number' ||
      !Number.isFinite(radius) ||
      radius < RADIUS_LIMITS_M.min ||
      radius > RADIUS_LIMITS_M.max
    ) {
      problems.push({
        field: join(prefix, 'radius_m'),
        message: `must be a number of metres from ${RADIUS_LIMITS_M.min} to ${RADIUS_LIMITS_M.max}`,
      });
    } else {
      radiusM = radius;
    }
  } else if (!hasGeofence) {
    radiusM = DEFAULT_RADIUS_M;
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, draft: { name: name!, address, externalId, point, radiusM, geofence } };
}

/** An imported feature's reason to be refused, or its draft. */
export type FeatureOutcome = { index: number; id: string | null } & Drafted;

/**
 * A GeoJSON Feature of an import: a Point geometry (a radius location; `radius_m` in its
 * properties) or a Polygon/MultiPolygon geometry (the geofence; an optional `coordinates` Point
 * in its properties, otherwise a point on the polygon's surface). `properties.name` is required;
 * the feature's `id` becomes the location's external id.
 */
export function draftFeature(feature: unknown, index: number): FeatureOutcome {
  const prefix = `features[${index}]`;
  const record =
    typeof feature === 'object' && feature !== null && !Array.isArray(feature)
      ? (feature as Record<string, unknown>)
      : null;
  const rawId = record?.id;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : null;
  const refuse = (field: string, message: string): FeatureOutcome => ({
    index,
    id,
    ok: false,
    problems: [{ field, message }],
  });
  if (!record || record.type !== 'Feature') return refuse(`${prefix}.type`, 'must be "Feature"');
  const properties = record.properties ?? {};
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    return refuse(`${prefix}.properties`, 'must be an object');
  }
  const geometry = record.geometry;
  const geometryType =
    typeof geometry === 'object' && geometry !== null ? (geometry as { type?: unknown }).type : undefined;
  const props = properties as Record<string, unknown>;
  const base: LocationFields = {
    name: props.name,
    address: props.address,
    external_id: id ?? props.external_id,
  };
  let drafted: Drafted;
  if (geometryType === 'Point') {
    drafted = draftLocation({ ...base, coordinates: geometry, radius_m: props.radius_m }, prefix);
  } else if (geometryType === 'Polygon' || geometryType === 'MultiPolygon') {
    if (props.radius_m !== undefined && props.radius_m !== null) {
      return refuse(`${prefix}.properties.radius_m`, 'a polygon feature is its own geofence: drop radius_m');
    }
    drafted = draftLocation({ ...base, coordinates: props.coordinates, geofence: geometry }, prefix, true);
  } else {
    return refuse(`${prefix}.geometry.type`, 'must be "Point", "Polygon" or "MultiPolygon"');
  }
  const geometryField = geometryType === 'Point' ? 'coordinates' : 'geofence';
  return drafted.ok
    ? { index, id, ok: true, draft: drafted.draft }
    : {
        index,
        id,
        ok: false,
        problems: drafted.problems.map((problem) => renameField(problem, prefix, geometryField)),
      };
}

/** Problems of a feature name the feature's own members: its `geometry`, or one of its `properties`. */
function renameField(problem: GeoProblem, prefix: string, geometryField: string): GeoProblem {
  const rest = problem.field.slice(prefix.length + 1);
  if (rest === geometryField || rest.startsWith(`${geometryField}.`) || rest.startsWith(`${geometryField}[`)) {
    return { ...problem, field: `${prefix}.geometry${rest.slice(geometryField.length)}` };
  }
  return { ...problem, field: `${prefix}.properties.${rest}` };
}

/** The problems as one line, for the `reason` of a refused feature. */
export function reasonOf(problems: GeoProblem[]): string {
  return problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
}
