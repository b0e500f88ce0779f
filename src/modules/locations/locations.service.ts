import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, QueryFailedError } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { cursorTimestamp, decodeCursor, Page, pageOf } from '../../common/pagination/pagination';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { QuotaService } from '../tenants/quota.service';
import { ImportLocationsDto, ImportRejectDto, ImportResultDto } from './dto/import.dto';
import { CreateLocationDto, ListLocationsQueryDto, LocationDto, UpdateLocationDto } from './dto/location.dto';
import { NearbyListDto, NearbyQueryDto } from './dto/nearby.dto';
import { GeoProblem } from './geojson';
import {
  DEFAULT_RADIUS_M,
  draftFeature,
  draftLocation,
  LocationDraft,
  LocationFields,
  reasonOf,
} from './location-input';
import { LOCATION_COLUMNS, NEARBY_SQL, pointFrom, POINT_TO_GEOFENCE_MAX_M } from './location-sql';

interface LocationRow {
  id: string;
  name: string;
  address: string | null;
  external_id: string | null;
  coordinates: { type: 'Point'; coordinates: [number, number] };
  radius_m: number | null;
  geofence: object | null;
  area_m2: number;
  created_at: Date;
  updated_at: Date;
}

function toLocationDto(row: LocationRow): LocationDto {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    external_id: row.external_id,
    coordinates: row.coordinates,
    geofence_type: row.geofence ? 'polygon' : 'radius',
    radius_m: row.radius_m,
    geofence: row.geofence,
    area_m2: Math.round(row.area_m2 * 100) / 100,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function audited(location: LocationDto): object {
  const { created_at: _created, updated_at: _updated, ...rest } = location;
  return rest;
}

/** A draft and where its fields sit in the request, for the field names of its problems. */
interface PlacedDraft {
  draft: LocationDraft;
  /** '' for a JSON body; `features[3]` for an imported feature. */
  prefix: string;
  /** The field of the request that holds the geofence (`geofence`, or a feature's `geometry`). */
  geofenceField: string;
  /** The field that holds the point (`coordinates`, or a feature's `properties.coordinates`). */
  pointField: string;
}

interface GeometryRow {
  i: number;
  valid: boolean;
  invalid_reason: string | null;
  area_m2: number | null;
  point_distance_m: number | null;
}

const at = (prefix: string, field: string) => (prefix ? `${prefix}.${field}` : field);

/**
 * Locations and their geofences: admin CRUD, GeoJSON import and nearby search. Structural
 * checks are pure (location-input.ts, geojson.ts); validity, area and distances are PostGIS's.
 */
@Injectable()
export class LocationsService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
    private readonly quotas: QuotaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(tenantId: string, query: ListLocationsQueryDto): Promise<Page<LocationDto>> {
    const after = decodeCursor(query.cursor, 2);
    const rows = await this.database.run(
      tenantId,
      (manager) =>
        manager.query(
          `SELECT ${LOCATION_COLUMNS}, ${cursorTimestamp('created_at')} AS position_key FROM locations
            WHERE tenant_id = $1 AND deleted_at IS NULL
              ${after ? `AND (created_at, id) > ($3::timestamptz, $4::uuid)` : ''}
            ORDER BY created_at, id LIMIT $2`,
          after ? [tenantId, query.limit + 1, after[0], after[1]] : [tenantId, query.limit + 1],
        ) as Promise<Array<LocationRow & { position_key: string }>>,
    );
    return pageOf(rows, query.limit, toLocationDto, (row) => [row.position_key, row.id]);
  }

  get(tenantId: string, id: string): Promise<LocationDto> {
    return this.database.run(tenantId, async (manager) => toLocationDto(await this.find(manager, tenantId, id, false)));
  }

  async create(
    caller: Caller,
    request: IdempotentRequest,
    input: CreateLocationDto,
  ): Promise<IdempotentOutcome<LocationDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const drafted = draftLocation(input as LocationFields);
    if (!drafted.ok) throw new ValidationFailedError(drafted.problems);
    const placed = bodyDraft(drafted.draft);
    return this.withGeometryErrors(() =>
      this.idempotency.execute(request, 201, async (manager) => {
        const problems = await this.geometryProblems(manager, [placed]);
        if (problems.has(0)) throw new ValidationFailedError(problems.get(0)!);
        await this.assertExternalIdFree(manager, tenantId, drafted.draft.externalId, null);
        await this.quotas.assertCanAdd(manager, tenantId, 'locations');
        const [id] = await this.insert(manager, tenantId, [drafted.draft]);
        const created = toLocationDto(await this.find(manager, tenantId, id, false));
        await this.audit.record(manager, tenantId, caller, {
          action: 'location.created',
          targetType: 'location',
          targetId: id,
          after: audited(created),
        });
        return created;
      }),
    );
  }

  async update(caller: Caller, id: string, input: UpdateLocationDto): Promise<LocationDto> {
    const tenantId = tenantIdOf(caller.actor);
    return this.withGeometryErrors(() =>
      this.database.run(tenantId, async (manager) => {
        const existing = await this.find(manager, tenantId, id, true);
        const before = toLocationDto(existing);
        const drafted = draftLocation(mergeChanges(existing, input));
        if (!drafted.ok) throw new ValidationFailedError(drafted.problems);
        const draft = drafted.draft;
        const problems = await this.geometryProblems(manager, [bodyDraft(draft)]);
        if (problems.has(0)) throw new ValidationFailedError(problems.get(0)!);
        await this.assertExternalIdFree(manager, tenantId, draft.externalId, id);
        const pointChanged = input.coordinates !== undefined;
        const geofenceChanged = JSON.stringify(draft.geofence) !== JSON.stringify(existing.geofence);
        await manager.query(
          `UPDATE locations
              SET name = $3, address = $4, external_id = $5, radius_m = $6,
                  position = CASE WHEN $7 THEN ${pointFrom('$8::float8', '$9::float8')} ELSE position END,
                  geofence = CASE WHEN $10 THEN ST_GeomFromGeoJSON($11::text)::geography ELSE geofence END,
                  updated_at = now()
            WHERE tenant_id = $1 AND id = $2`,
          [
            tenantId,
            id,
            draft.name,
            draft.address,
            draft.externalId,
            draft.radiusM,
            pointChanged,
            draft.point?.[0] ?? null,
            draft.point?.[1] ?? null,
            geofenceChanged,
            draft.geofence ? JSON.stringify(draft.geofence) : null,
          ],
        );
        const after = toLocationDto(await this.find(manager, tenantId, id, false));
        await this.audit.record(manager, tenantId, caller, {
          action: 'location.updated',
          targetType: 'location',
          targetId: id,
          before: audited(before),
          after: audited(after),
        });
        return after;
      }),
    );
  }

  /** Soft delete: the location leaves lists, searches and check-ins; its check-ins stay. */
  async remove(caller: Caller, id: string): Promise<void> {
    const tenantId = tenantIdOf(caller.actor);
    await this.database.run(tenantId, async (manager) => {
      const existing = toLocationDto(await this.find(manager, tenantId, id, true));
      await manager.query(
        `UPDATE locations SET deleted_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      await this.audit.record(manager, tenantId, caller, {
        action: 'location.deleted',
        targetType: 'location',
        targetId: id,
        before: audited(existing),
      });
    });
  }

  /**
   * Imports a FeatureCollection: every acceptable feature becomes a location, in one
   * transaction; each refused one is answered with its reasons. The plan's quota is checked
   * against the features accepted: over it, nothing is imported.
   */
  async import(
    caller: Caller,
    request: IdempotentRequest,
    input: ImportLocationsDto,
  ): Promise<IdempotentOutcome<ImportResultDto>> {
    const tenantId = tenantIdOf(caller.actor);
    const max = this.config.LOCATION_IMPORT_MAX_FEATURES;
    if (input.features.length > max) {
      throw new ValidationFailedError([
        { field: 'features', message: `holds ${input.features.length} features; at most ${max} per import` },
      ]);
    }
    const rejects = new Map<number, ImportRejectDto>();
    const reject = (index: number, id: string | null, problems: GeoProblem[]) =>
      rejects.set(index, { index, id, reason: reasonOf(problems), errors: problems });
    const accepted: Array<PlacedDraft & { index: number; id: string | null }> = [];
    const externalIds = new Map<string, number>();
    for (const [index, feature] of input.features.entries()) {
      const outcome = draftFeature(feature, index);
      if (!outcome.ok) {
        reject(index, outcome.id, outcome.problems);
        continue;
      }
      const prefix = `features[${index}]`;
      const externalId = outcome.draft.externalId;
      if (externalId !== null && externalIds.has(externalId)) {
        reject(index, outcome.id, [
          { field: `${prefix}.id`, message: `repeats the id of features[${externalIds.get(externalId)}]` },
        ]);
        continue;
      }
      if (externalId !== null) externalIds.set(externalId, index);
      accepted.push({
        draft: outcome.draft,
        prefix,
        geofenceField: `${prefix}.geometry`,
        pointField: outcome.draft.geofence ? `${prefix}.properties.coordinates` : `${prefix}.geometry`,
        index,
        id: outcome.id,
      });
    }

    return this.withGeometryErrors(() =>
      this.idempotency.execute(request, 201, async (manager) => {
        const problems = await this.geometryProblems(manager, accepted);
        const taken = await this.takenExternalIds(
          manager,
          tenantId,
          accepted.flatMap((entry) => (entry.draft.externalId === null ? [] : [entry.draft.externalId])),
        );
        const creating = accepted.filter((entry, position) => {
          const found = problems.get(position) ?? [];
          if (entry.draft.externalId !== null && taken.has(entry.draft.externalId)) {
            found.push({
              field: `${entry.prefix}.id`,
              message: `is the external_id of location ${taken.get(entry.draft.externalId)}`,
            });
          }
          if (found.length > 0) reject(entry.index, entry.id, found);
          return found.length === 0;
        });
        if (creating.length > 0) await this.quotas.assertCanAdd(manager, tenantId, 'locations', creating.length);
        const ids = await this.insert(
          manager,
          tenantId,
          creating.map((entry) => entry.draft),
        );
        const result: ImportResultDto = {
          created: ids.length,
          rejected: rejects.size,
          location_ids: ids,
          rejects: [...rejects.values()].sort((a, b) => a.index - b.index),
        };
        await this.audit.record(manager, tenantId, caller, {
          action: 'location.imported',
          targetType: 'location',
          after: { features: input.features.length, created: result.created, rejected: result.rejected },
        });
        return result;
      }),
    );
  }

  /** The nearest live locations within `radius_m`, nearest first (see NEARBY_SQL). */
  nearby(actor: Actor, query: NearbyQueryDto): Promise<NearbyListDto> {
    const tenantId = tenantIdOf(actor);
    return this.database.run(tenantId, async (manager) => {
      const rows = (await manager.query(NEARBY_SQL, [
        tenantId,
        query.lon,
        query.lat,
        query.radius_m,
        query.limit,
      ])) as Array<Omit<LocationRow, 'external_id' | 'area_m2' | 'created_at' | 'updated_at'> & { distance_m: number }>;
      return {
        data: rows.map((row) => ({
          id: row.id,
          name: row.name,
          address: row.address,
          coordinates: row.coordinates,
          distance_m: Math.round(row.distance_m * 10) / 10,
          geofence_type: row.geofence ? ('polygon' as const) : ('radius' as const),
          radius_m: row.radius_m,
          geofence: row.geofence,
        })),
        next_cursor: null,
      };
    });
  }

  private async find(manager: EntityManager, tenantId: string, id: string, lock: boolean): Promise<LocationRow> {
    if (!isUuid(id)) throw new NotFoundError('Location', id);
    const [row] = (await manager.query(
      `SELECT ${LOCATION_COLUMNS} FROM locations WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL
       ${lock ? 'FOR UPDATE' : ''}`,
      [tenantId, id],
    )) as LocationRow[];
    if (!row) throw new NotFoundError('Location', id);
    return row;
  }

  /**
   * What PostGIS finds wrong with each draft's geofence (keyed by the draft's position): an
   * invalid geometry (ST_IsValidReason), an area over LOCATION_MAX_AREA_KM2, a point far from
   * its polygon. One statement for any number of drafts.
   */
  private async geometryProblems(manager: EntityManager, drafts: PlacedDraft[]): Promise<Map<number, GeoProblem[]>> {
    const problems = new Map<number, GeoProblem[]>();
    const withArea = drafts.flatMap((entry, position) => (entry.draft.geofence ? [{ entry, position }] : []));
    if (withArea.length === 0) return problems;
    const rows = (await manager.query(
      `SELECT d.i::int AS i, ST_IsValid(shape.g) AS valid,
              CASE WHEN NOT ST_IsValid(shape.g) THEN ST_IsValidReason(shape.g) END AS invalid_reason,
              CASE WHEN ST_IsValid(shape.g) THEN ST_Area(shape.g::geography) END AS area_m2,
              CASE WHEN ST_IsValid(shape.g) AND d.lon IS NOT NULL
                   THEN ST_Distance(shape.g::geography, ${pointFrom('d.lon', 'd.lat')}, false) END AS point_distance_m
         FROM unnest($1::int[], $2::text[], $3::float8[], $4::float8[]) AS d(i, geojson, lon, lat)
        CROSS JOIN LATERAL (SELECT ST_GeomFromGeoJSON(d.geojson) AS g) shape`,
      [
        withArea.map(({ position }) => position),
        withArea.map(({ entry }) => JSON.stringify(entry.draft.geofence)),
        withArea.map(({ entry }) => entry.draft.point?.[0] ?? null),
        withArea.map(({ entry }) => entry.draft.point?.[1] ?? null),
      ],
    )) as GeometryRow[];
    const maxAreaM2 = this.config.LOCATION_MAX_AREA_KM2 * 1e6;
    for (const row of rows) {
      const entry = drafts[row.i];
      const found: GeoProblem[] = [];
      if (!row.valid) {
        found.push({ field: entry.geofenceField, message: `is not a valid geometry: ${row.invalid_reason}` });
      } else {
        if (row.area_m2 !== null && row.area_m2 > maxAreaM2) {
          found.push({
            field: entry.geofenceField,
            message: `covers ${(row.area_m2 / 1e6).toFixed(2)} km²; at most ${this.config.LOCATION_MAX_AREA_KM2} km² is allowed`,
          });
        }
        if (row.point_distance_m !== null && row.point_distance_m > POINT_TO_GEOFENCE_MAX_M) {
          found.push({
            field: entry.pointField,
            message:
              `lies ${(row.point_distance_m / 1000).toFixed(1)} km from the geofence (at most ${POINT_TO_GEOFENCE_MAX_M / 1000} km): ` +
              'GeoJSON positions are [longitude, latitude]; are some swapped?',
          });
        }
      }
      if (found.length > 0) problems.set(row.i, found);
    }
    return problems;
  }

  /** Inserts the drafts, one statement for any number; returns their ids in order. */
  private async insert(manager: EntityManager, tenantId: string, drafts: LocationDraft[]): Promise<string[]> {
    if (drafts.length === 0) return [];
    const ids = drafts.map(() => randomUUID());
    await manager.query(
      `INSERT INTO locations (tenant_id, id, name, address, external_id, position, radius_m, geofence)
       SELECT $1, d.id, d.name, d.address, d.external_id,
              COALESCE(${pointFrom('d.lon', 'd.lat')}, ST_PointOnSurface(ST_GeomFromGeoJSON(d.geofence))::geography),
              d.radius_m, ST_GeomFromGeoJSON(d.geofence)::geography
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::text[])
              AS d(id, name, address, external_id, lon, lat, radius_m, geofence)`,
      [
        tenantId,
        ids,
        drafts.map((draft) => draft.name),
        drafts.map((draft) => draft.address),
        drafts.map((draft) => draft.externalId),
        drafts.map((draft) => draft.point?.[0] ?? null),
        drafts.map((draft) => draft.point?.[1] ?? null),
        drafts.map((draft) => draft.radiusM),
        drafts.map((draft) => (draft.geofence ? JSON.stringify(draft.geofence) : null)),
      ],
    );
    return ids;
  }

  private async takenExternalIds(manager: EntityManager, tenantId: string, externalIds: string[]) {
    if (externalIds.length === 0) return new Map<string, string>();
    const rows = (await manager.query(
      `SELECT external_id, id FROM locations WHERE tenant_id = $1 AND deleted_at IS NULL AND external_id = ANY($2::text[])`,
      [tenantId, externalIds],
    )) as Array<{ external_id: string; id: string }>;
    return new Map(rows.map((row) => [row.external_id, row.id]));
  }

  private async assertExternalIdFree(
    manager: EntityManager,
    tenantId: string,
    externalId: string | null,
    self: string | null,
  ): Promise<void> {
    if (externalId === null) return;
    const owner = (await this.takenExternalIds(manager, tenantId, [externalId])).get(externalId);
    if (owner && owner !== self) {
      throw new ConflictError('external_id_taken', `Location ${owner} already has the external_id "${externalId}".`);
    }
  }

  /**
   * Runs a change and turns what can still go wrong in PostGIS into a 400 (the pure checks
   * should leave nothing for it) and a lost race on external_id into a 409. The transaction
   * has rolled back by then: nothing is half-written.
   */
  private async withGeometryErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof QueryFailedError)) throw error;
      const driverError = error.driverError as { code?: string; constraint?: string; message?: string };
      if (driverError.constraint === 'locations_external_id_key') {
        throw new ConflictError('external_id_taken', 'Another location already has this external_id.');
      }
      if (driverError.code === 'XX000' || driverError.code?.startsWith('22')) {
        throw new ValidationFailedError([
          { field: 'geofence', message: `was refused by PostGIS: ${driverError.message}` },
        ]);
      }
      throw error;
    }
  }
}

function bodyDraft(draft: LocationDraft): PlacedDraft {
  return { draft, prefix: '', geofenceField: at('', 'geofence'), pointField: at('', 'coordinates') };
}

/**
 * The location's fields after a PATCH. A geofence given replaces the radius, a radius given
 * replaces the polygon, and `geofence: null` goes back to a radius (the one given, the
 * location's former one, or the default).
 */
function mergeChanges(existing: LocationRow, input: UpdateLocationDto): LocationFields {
  let geofence: unknown = existing.geofence;
  let radius: unknown = existing.radius_m;
  if (input.geofence !== undefined && input.geofence !== null) {
    geofence = input.geofence;
    radius = input.radius_m;
  } else if (input.geofence === null) {
    geofence = null;
    radius = input.radius_m ?? existing.radius_m ?? DEFAULT_RADIUS_M;
  } else if (input.radius_m !== undefined) {
    geofence = null;
    radius = input.radius_m;
  }
  return {
    name: input.name ?? existing.name,
    address: input.address !== undefined ? input.address : existing.address,
    external_id: input.external_id !== undefined ? input.external_id : existing.external_id,
    coordinates: input.coordinates ?? existing.coordinates,
    geofence,
    radius_m: radius,
  };
}
