import { MigrationInterface, QueryRunner, QueryFailedError } from 'typeorm';

/**
 * A deleted account's e-mail is free again: an owner who deletes a staff member can create a new
 * account with the same address. The deleted row stays, e-mail included, for the audit trail.
 *
 * The unique constraint on (tenant_id, email) becomes a unique index over the rows that are not
 * deleted. `email` is citext, so the index stays case-insensitive, as the constraint was. Disabled
 * accounts keep their e-mail: they can be enabled again. Inserts that rely on it name the
 * predicate: `ON CONFLICT (tenant_id, email) WHERE status <> 'deleted'`.
 */
export class DeletedUsersFreeEmail1795389700000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNIQUE INDEX "users_tenant_live_email_key" ON "users" ("tenant_id", "email") WHERE "status" <> 'deleted'`);
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "users_tenant_email_key"`);
  }

  /**
   * Fails, changing nothing, once two accounts of a tenant share an e-mail (one deleted, or both:
   * deleted, created again, deleted again): the old constraint cannot hold them. Renaming the
   * deleted accounts' e-mails would rewrite the audit trail behind the operator's back, so the
   * decision is left to them.
   * (Row-level security hides the rows from a query here, so the constraint itself is the check.)
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    try {
      await queryRunner.query(
        `ALTER TABLE "users" ADD CONSTRAINT "users_tenant_email_key" UNIQUE ("tenant_id", "email")`,
      );
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        throw new Error(
          'Cannot restore users_tenant_email_key: accounts of a tenant share an e-mail (deleted accounts among ' +
            'them). Find them (as a role that bypasses row-level security) with SELECT tenant_id, email ' +
            'FROM users GROUP BY 1, 2 HAVING count(*) > 1; give the deleted ones unused e-mails (as erasure ' +
            'does: erased+<uuid>@invalid), then migrate down again.',
          { cause: error },
        );
      }
      throw error;
    }
    await queryRunner.query(`DROP INDEX "users_tenant_live_email_key"`);
  }
}
