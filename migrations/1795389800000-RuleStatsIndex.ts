import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A rule's ledger rows, in the order they were written: GET /api/admin/rules/{id}/stats reads a
 * rule's earn and reverse rows from a date on. The existing rule index leads with the account
 * (per-customer caps), which is no help across customers: without this one the stats read the
 * whole ledger. Rows without a rule (redemptions, expiry, adjustments) stay out of it.
 *
 * Built CONCURRENTLY, outside a transaction: the ledger takes every earning's insert, and a plain
 * CREATE INDEX would hold them all for as long as the build takes. A build that failed half-way
 * leaves an invalid index under the name; it is dropped first, so running again starts clean.
 */
export class RuleStatsIndex1795389800000 implements MigrationInterface {
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS "point_transactions_rule_idx"`);
    await queryRunner.query(`
      CREATE INDEX CONCURRENTLY "point_transactions_rule_idx" ON "point_transactions" ("tenant_id", "rule_id", "created_at")
      WHERE "rule_id" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "point_transactions_rule_idx"`);
  }
}
