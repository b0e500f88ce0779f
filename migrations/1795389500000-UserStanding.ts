import { MigrationInterface, QueryRunner } from 'typeorm';

/** The function's definition (StandingCheck's down migration restores it). */
export const USER_STANDING_FUNCTION = `
      CREATE FUNCTION app_user_standing(p_tenant uuid, p_user uuid)
      RETURNS TABLE (role text, status text, password_changed_at timestamptz, tenant_status text)
      LANGUAGE plpgsql VOLATILE SECURITY INVOKER
      AS $$
      BEGIN
        PERFORM set_config('app.tenant_id', p_tenant::text, true);
        RETURN QUERY
          SELECT u.role::text, u.status::text, u.password_changed_at, t.status::text
            FROM users u JOIN tenants t ON t.id = u.tenant_id
           WHERE u.tenant_id = p_tenant AND u.id = p_user;
      END
      $$`;

/**
 * One round trip to check a tenant user's token on every request: the function sets
 * `app.tenant_id` for the current transaction only (`set_config(..., true)`), which, called as a
 * single autocommitted statement, ends with that statement — nothing leaks to the pooled
 * connection's next user. It runs with the caller's rights (SECURITY INVOKER), so row-level
 * security still applies to the users it reads.
 */
export class UserStanding1795389500000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(USER_STANDING_FUNCTION);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION app_user_standing(uuid, uuid)`);
  }
}
