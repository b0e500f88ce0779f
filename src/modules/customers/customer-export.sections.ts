/**
 * What a GDPR export holds besides the profile: one entry per table with rows about the customer.
 * A module that adds such a table (redemptions, check-ins, event attendance, ...) adds its entry
 * here and the export, admin and self-service alike, carries it.
 *
 * Each query gets $1 = tenant id and $2 = customer id and returns one `record` column: the whole
 * row as JSON (so columns added later are exported too) minus `tenant_id`, oldest first.
 */
export interface ExportSection {
  key: string;
  sql: string;
}

const ownRows = (table: string, orderBy: string): string => `
  SELECT to_jsonb(r) - 'tenant_id' AS record FROM ${table} r
   WHERE r.tenant_id = $1 AND r.customer_id = $2 ORDER BY ${orderBy}, r.id`;

const viaAccount = (table: string, orderBy: string): string => `
  SELECT to_jsonb(r) - 'tenant_id' AS record
    FROM ${table} r
    JOIN loyalty_accounts a ON a.tenant_id = r.tenant_id AND a.id = r.account_id
   WHERE r.tenant_id = $1 AND a.customer_id = $2
   ORDER BY ${orderBy}, r.id`;

export const EXPORT_SECTIONS: readonly ExportSection[] = [
  {
    key: 'loyalty_accounts',
    sql: `SELECT to_jsonb(r) - 'tenant_id' AS record FROM loyalty_accounts r
           WHERE r.tenant_id = $1 AND r.customer_id = $2 ORDER BY r.created_at, r.id`,
  },
  { key: 'point_transactions', sql: viaAccount('point_transactions', 'r.created_at') },
  { key: 'point_lots', sql: viaAccount('point_lots', 'r.earned_at') },
  { key: 'tier_changes', sql: viaAccount('tier_changes', 'r.changed_at') },
  { key: 'activities', sql: ownRows('activities', 'r.occurred_at') },
  { key: 'customer_achievements', sql: ownRows('customer_achievements', 'r.unlocked_at') },
  {
    key: 'challenge_participants',
    sql: `SELECT to_jsonb(r) - 'tenant_id' AS record FROM challenge_participants r
           WHERE r.tenant_id = $1 AND r.customer_id = $2 ORDER BY r.joined_at, r.challenge_id`,
  },
  { key: 'checkins', sql: ownRows('checkins', 'r.occurred_at') },
  { key: 'event_registrations', sql: ownRows('event_registrations', 'r.registered_at') },
  { key: 'event_attendance', sql: ownRows('event_attendance', 'r.checked_in_at') },
  { key: 'redemptions', sql: ownRows('redemptions', 'r.created_at') },
];
