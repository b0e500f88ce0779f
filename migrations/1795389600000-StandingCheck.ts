import { MigrationInterface, QueryRunner } from 'typeorm';
import { USER_STANDING_FUNCTION } from './1795389500000-UserStanding';

/**
 * `app_check_standing` judges a tenant user's access token in the database: the account exists
 * and is active, its password has not changed since the token was issued, its tenant is not
 * suspended and, when the caller names one, its role is still the token's. It returns the
 * account's role, or raises one of these SQLSTATEs (mapped to problems by `standingRefusal`):
 * - BS401: the account no longer exists or is disabled;
 * - BS402: the password changed after the token was issued (`iat` has whole seconds, so a token
 *   from the same second as the change is given the benefit);
 * - BS403: the tenant is suspended;
 * - BS404: the account's role is no longer the one named.
 *
 * Raising, rather than returning the facts, lets the check ride in the opening statement of the
 * request's own transaction (a route marked StandingCheckedInTransaction): a refused token
 * aborts the transaction before anything is read or written, with no round trip of its own.
 * Called alone, as a single autocommitted statement, its `set_config(..., true)` ends with that
 * statement. SECURITY INVOKER: row-level security still applies to the users it reads.
 * It replaces `app_user_standing`, which returned the facts for the caller to judge.
 */
export class StandingCheck1795389600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION app_check_standing(p_tenant uuid, p_user uuid, p_issued_at bigint, p_role text)
      RETURNS text
      LANGUAGE plpgsql VOLATILE SECURITY INVOKER
      AS $$
      DECLARE
        v_role text;
        v_status text;
        v_password_changed_at timestamptz;
        v_tenant_status text;
      BEGIN
        PERFORM set_config('app.tenant_id', p_tenant::text, true);
        SELECT u.role::text, u.status::text, u.password_changed_at, t.status::text
          INTO v_role, v_status, v_password_changed_at, v_tenant_status
          FROM users u JOIN tenants t ON t.id = u.tenant_id
         WHERE u.tenant_id = p_tenant AND u.id = p_user;
        IF NOT FOUND OR v_status <> 'active' THEN
          RAISE EXCEPTION 'the account no longer exists or is disabled' USING ERRCODE = 'BS401';
        END IF;
        IF v_password_changed_at IS NOT NULL
           AND coalesce(p_issued_at, 0) < floor(extract(epoch FROM v_password_changed_at)) THEN
          RAISE EXCEPTION 'the password has changed since the token was issued' USING ERRCODE = 'BS402';
        END IF;
        IF v_tenant_status = 'suspended' THEN
          RAISE EXCEPTION 'the tenant is suspended' USING ERRCODE = 'BS403';
        END IF;
        IF p_role IS NOT NULL AND v_role <> p_role THEN
          RAISE EXCEPTION 'the account''s role is no longer the token''s' USING ERRCODE = 'BS404';
        END IF;
        RETURN v_role;
      END
      $$`);
    await queryRunner.query(`DROP FUNCTION app_user_standing(uuid, uuid)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(USER_STANDING_FUNCTION);
    await queryRunner.query(`DROP FUNCTION app_check_standing(uuid, uuid, bigint, text)`);
  }
}
