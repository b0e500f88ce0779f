import { EntityManager } from 'typeorm';

/** The ids among `ids` that are not current (undeleted) locations of the tenant. */
export async function unknownLocations(
  manager: EntityManager,
  tenantId: string,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = (await manager.query(
    `SELECT id FROM locations WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
    [tenantId, ids],
  )) as Array<{ id: string }>;
  const known = new Set(found.map((row) => row.id));
  return ids.filter((id) => !known.has(id.toLowerCase()));
}
