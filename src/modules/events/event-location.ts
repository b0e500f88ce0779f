import { EntityManager } from 'typeorm';
import { BusinessRuleError, ValidationFailedError } from '../../common/errors/domain-error';

/**
 * An event's link to the locations module's table: a location_id must name one of the tenant's
 * (not deleted) locations, and a geofenced QR check-in must come from inside that location's
 * geofence: its polygon, or its radius around its point (as check-ins judge it, on the sphere).
 */

export async function checkEventLocation(
  manager: EntityManager,
  tenantId: string,
  locationId: string | null,
): Promise<void> {
  if (locationId === null) return;
  const [row] = (await manager.query(
    `SELECT 1 FROM locations WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`,
    [tenantId, locationId],
  )) as unknown[];
  if (!row) throw new ValidationFailedError([{ field: 'location_id', message: 'is not a location of this tenant' }]);
}

export async function checkAttendeePosition(
  manager: EntityManager,
  tenantId: string,
  event: { location_id: string | null; geofence_required: boolean },
  position: { lat?: number; lon?: number },
): Promise<void> {
  if (!event.geofence_required || event.location_id === null) return;
  if (position.lat === undefined || position.lon === undefined) {
    throw new BusinessRuleError('location_required', 'This event checks where you are: send lat and lon.');
  }
  const [row] = (await manager.query(
    `SELECT CASE WHEN l.geofence IS NULL
                 THEN ST_DWithin(l.position, ST_SetSRID(ST_MakePoint($4, $3), 4326)::geography, l.radius_m, false)
                 ELSE ST_Covers(l.geofence, ST_SetSRID(ST_MakePoint($4, $3), 4326)::geography) END AS inside
       FROM locations l WHERE l.tenant_id = $1 AND l.id = $2 AND l.deleted_at IS NULL`,
    [tenantId, event.location_id, position.lat, position.lon],
  )) as Array<{ inside: boolean }>;
  // A location deleted since the event was planned has no geofence left to check against.
  if (row && !row.inside) {
    throw new BusinessRuleError('outside_event_location', 'You are not at the event’s location.');
  }
}
