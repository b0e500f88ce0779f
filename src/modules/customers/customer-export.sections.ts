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
  {
    key: 'activities',
    sql: `SELECT to_jsonb(r) - 'tenant_id' AS record FROM activities r
           WHERE r.tenant_id = $1 AND r.customer_id = $2 ORDER BY r.occurred_at, r.id`,
  },
];
