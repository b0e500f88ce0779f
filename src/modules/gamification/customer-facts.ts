import { EntityManager } from 'typeorm';
import { CustomerFacts, FactsNeeded, streakKey } from './achievement-criteria';
import { longestRun } from './streaks';

/**
 * Reads what `needed` asks about a customer, one query per kind of fact, from the activities (the
 * record of everything the customer did, whichever module recorded it) and the loyalty accounts.
 * Streak days are the tenant's local dates: PostgreSQL and Node read the same IANA zone database.
 */
export async function loadCustomerFacts(
  manager: EntityManager,
  tenantId: string,
  customerId: string,
  needed: FactsNeeded,
  timeZone: string,
): Promise<CustomerFacts> {
  const activityCounts: Record<string, number> = {};
  if (needed.activityTypes.length > 0) {
    const rows = (await manager.query(
      `SELECT type, count(*)::int AS n FROM activities
        WHERE tenant_id = $1 AND customer_id = $2 AND type = ANY($3::text[]) GROUP BY type`,
      [tenantId, customerId, needed.activityTypes],
    )) as Array<{ type: string; n: number }>;
    for (const row of rows) activityCounts[row.type] = row.n;
  }

  const distinctLocations: Record<string, number> = {};
  if (needed.locationTypes.length > 0) {
    const rows = (await manager.query(
      `SELECT type, count(DISTINCT location_id)::int AS n FROM activities
        WHERE tenant_id = $1 AND customer_id = $2 AND type = ANY($3::text[]) AND location_id IS NOT NULL
        GROUP BY type`,
      [tenantId, customerId, needed.locationTypes],
    )) as Array<{ type: string; n: number }>;
    for (const row of rows) distinctLocations[row.type] = row.n;
  }

  let eventsAttended = 0;
  if (needed.events) {
    // An attendance names its event in `reference`; one without counts on its own.
    const [row] = (await manager.query(
      `SELECT count(DISTINCT COALESCE(reference, id::text))::int AS n FROM activities
        WHERE tenant_id = $1 AND customer_id = $2 AND type = 'event_attendance'`,
      [tenantId, customerId],
    )) as Array<{ n: number }>;
    eventsAttended = row.n;
  }

  let lifetimePoints = 0;
  if (needed.points) {
    const [row] = (await manager.query(
      `SELECT COALESCE(sum(lifetime_points), 0)::bigint AS points FROM loyalty_accounts
        WHERE tenant_id = $1 AND customer_id = $2`,
      [tenantId, customerId],
    )) as Array<{ points: string }>;
    lifetimePoints = Number(row.points);
  }

  const tiersReached = new Set<string>();
  if (needed.tierIds.length > 0) {
    // Reached: the customer's current tier in that tier's program ranks at least as high.
    const rows = (await manager.query(
      `SELECT t.id FROM tiers t
        WHERE t.tenant_id = $1 AND t.id = ANY($3::uuid[])
          AND EXISTS (SELECT 1 FROM loyalty_accounts a
                        JOIN tiers held ON held.tenant_id = a.tenant_id AND held.id = a.tier_id
                       WHERE a.tenant_id = t.tenant_id AND a.customer_id = $2 AND a.program_id = t.program_id
                         AND held.rank >= t.rank)`,
      [tenantId, customerId, needed.tierIds],
    )) as Array<{ id: string }>;
    for (const row of rows) tiersReached.add(row.id);
  }

  const longestStreaks: Record<string, number> = {};
  for (const activityType of [...new Set(needed.streaks.map((streak) => streak.activityType))]) {
    const rows = (await manager.query(
      `SELECT DISTINCT to_char(occurred_at AT TIME ZONE $4, 'YYYY-MM-DD') AS day FROM activities
        WHERE tenant_id = $1 AND customer_id = $2 AND type = $3`,
      [tenantId, customerId, activityType, timeZone],
    )) as Array<{ day: string }>;
    const days = rows.map((row) => row.day);
    for (const streak of needed.streaks.filter((entry) => entry.activityType === activityType)) {
      longestStreaks[streakKey(activityType, streak.unit)] = longestRun(days, streak.unit);
    }
  }

  return { activityCounts, distinctLocations, eventsAttended, lifetimePoints, tiersReached, longestStreaks };
}
