import type { DeferredStanding } from './standing';

export const TENANT_ROLES = ['customer', 'staff', 'admin', 'owner'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];
export type StaffRole = Exclude<TenantRole, 'customer'>;

/** Who is calling. The tenant of a request comes from here and nowhere else. */
export type Actor =
  | {
      kind: 'user';
      userId: string;
      tenantId: string;
      role: TenantRole;
      /** Set when the token's standing is checked by the request's transaction, not yet checked. */
      deferredStanding?: DeferredStanding;
    }
  | { kind: 'super_admin'; userId: string; tenantId: null }
  | { kind: 'api_key'; keyId: string; tenantId: string; scopes: string[] };

/** Staff, admin and owner each include the roles before them; customer is apart. */
export function roleIncludes(role: TenantRole, minimum: StaffRole): boolean {
  if (role === 'customer') return false;
  return TENANT_ROLES.indexOf(role) >= TENANT_ROLES.indexOf(minimum);
}

/** A stable identity for per-credential state such as idempotency keys and rate limits. */
export function actorKey(actor: Actor): string {
  return actor.kind === 'api_key' ? `key:${actor.keyId}` : `user:${actor.userId}`;
}

/** The tenant a tenant-scoped route acts in; only super admins have none. */
export function tenantIdOf(actor: Actor): string {
  if (actor.tenantId === null) throw new Error('tenantIdOf called for a super admin on a tenant-scoped route');
  return actor.tenantId;
}
