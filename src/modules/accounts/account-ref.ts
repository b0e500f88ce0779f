import { EntityManager } from 'typeorm';
import { Actor, TenantRole } from '../../common/auth/actor';
import { ForbiddenError } from '../../common/errors/domain-error';
import { TenantDatabase } from '../../database/tenant-database.service';

/**
 * A person who signs in: a tenant user or a platform super admin. Both have refresh tokens,
 * reset tokens and MFA, kept in parallel tables (tenant users' behind row-level security).
 */
export type AccountRef =
  { kind: 'user'; tenantId: string; userId: string } | { kind: 'super_admin'; tenantId: null; userId: string };

/**
 * Table and column names per kind of account; `status` and `role` are expressions over the
 * accounts table aliased `a`. Constants only: never built from input.
 */
export const ACCOUNT_TABLES = {
  user: {
    accounts: 'users',
    refreshTokens: 'refresh_tokens',
    resetTokens: 'password_reset_tokens',
    owner: 'user_id',
    status: 'a.status',
    role: 'a.role',
  },
  super_admin: {
    accounts: 'platform_admins',
    refreshTokens: 'platform_refresh_tokens',
    resetTokens: 'platform_password_reset_tokens',
    owner: 'admin_id',
    status: `'active'`,
    role: `'super_admin'`,
  },
} as const;

/** The tables of an account, or of whatever account a token scoped to `tenantId` (null: platform) is for. */
export function tablesOf(scope: { tenantId: string | null }) {
  return scope.tenantId === null ? ACCOUNT_TABLES.super_admin : ACCOUNT_TABLES.user;
}

export function accountRef(tenantId: string | null, userId: string): AccountRef {
  return tenantId === null ? { kind: 'super_admin', tenantId, userId } : { kind: 'user', tenantId, userId };
}

/** The account behind a signed-in person's credential; API keys have none. */
export function accountOf(actor: Actor): AccountRef {
  if (actor.kind === 'api_key') throw new ForbiddenError('API keys have no user.', 'not_a_user');
  return accountRef(actor.tenantId, actor.userId);
}

/** The actor an account acts as, for audit entries written on its behalf. */
export function actorOf(account: AccountRef, role: TenantRole | 'super_admin'): Actor {
  return account.kind === 'user'
    ? { kind: 'user', tenantId: account.tenantId, userId: account.userId, role: role as TenantRole }
    : { kind: 'super_admin', tenantId: null, userId: account.userId };
}

/** One transaction where the account's rows are visible: its tenant's, or the platform's. */
export function inAccountScope<T>(
  database: TenantDatabase,
  tenantId: string | null,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return tenantId === null ? database.runAsPlatform(work) : database.run(tenantId, work);
}
