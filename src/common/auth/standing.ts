import { QueryFailedError } from 'typeorm';
import type { TenantDatabase } from '../../database/tenant-database.service';
import { DomainError, ForbiddenError, UnauthenticatedError } from '../errors/domain-error';
import { isUuid } from '../ids';
import { Actor, TENANT_ROLES, TenantRole } from './actor';

/**
 * A tenant user's access token whose standing (account active, password unchanged since the
 * token, tenant not suspended, role unchanged) is checked as the request's transaction opens
 * instead of in a round trip of its own before the handler (see StandingCheckedInTransaction).
 * `checked` turns true once that transaction has opened.
 */
export interface DeferredStanding {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: TenantRole;
  /** The token's `iat` (seconds). */
  readonly issuedAt: number;
  checked: boolean;
}

/** What `app_check_standing` raises (see its migration), as the problem the caller gets. */
const REFUSALS: Record<string, () => DomainError> = {
  BS401: () => new UnauthenticatedError('The account no longer exists or is disabled.', 'invalid_token'),
  BS402: () => new UnauthenticatedError('The password has changed since this token was issued.', 'invalid_token'),
  BS403: () => new ForbiddenError('This tenant is suspended.', 'tenant_suspended'),
  BS404: () => new ForbiddenError('Your credential does not allow this route.', 'insufficient_role'),
};

/** The refusal for an error `app_check_standing` raised, or null for any other error. */
export function standingRefusal(error: unknown): DomainError | null {
  if (!(error instanceof QueryFailedError)) return null;
  const code = (error.driverError as { code?: string } | undefined)?.code;
  return code !== undefined && code in REFUSALS ? REFUSALS[code]() : null;
}

/**
 * The call to `app_check_standing` for a deferred standing, with its values inlined (it travels
 * in the simple-protocol message that opens the transaction), each checked first: two uuids, a
 * whole number of seconds and a known role.
 */
export function standingCheckCall(standing: DeferredStanding): string {
  const { tenantId, userId, role, issuedAt } = standing;
  if (!isUuid(tenantId) || !isUuid(userId) || !Number.isSafeInteger(issuedAt) || !TENANT_ROLES.includes(role)) {
    throw new Error('a deferred standing check needs two uuids, an integer iat and a tenant role');
  }
  return `app_check_standing('${tenantId}', '${userId}', ${issuedAt}, '${role}')`;
}

/**
 * Checks a tenant user's standing now, in one autocommitted statement: the account's role, or
 * the refusal (401/403) thrown. With `role`, the account must still hold that role.
 */
export async function checkStandingNow(
  database: TenantDatabase,
  tenantId: string,
  userId: string,
  issuedAt: number,
  role: TenantRole | null,
): Promise<TenantRole> {
  try {
    const [row] = await database.queryOnce<{ role: TenantRole }>(`SELECT app_check_standing($1, $2, $3, $4) AS role`, [
      tenantId,
      userId,
      issuedAt,
      role,
    ]);
    return row.role;
  } catch (error) {
    throw standingRefusal(error) ?? error;
  }
}

/** The caller's standing still to be checked by the transaction about to open, if any. */
export function pendingStanding(actor: Actor): DeferredStanding | undefined {
  const standing = actor.kind === 'user' ? actor.deferredStanding : undefined;
  return standing && !standing.checked ? standing : undefined;
}
