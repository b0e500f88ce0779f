import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { Actor, StaffRole } from './actor';
import { StandingCheckInterceptor } from './standing-check.interceptor';

/** One way a route may be reached. A route lists one or more; it needs at least one. */
export type AccessGrant =
  | { kind: 'public' }
  | { kind: 'signed_in' }
  | { kind: 'customer' }
  | { kind: 'role'; minimum: StaffRole }
  | { kind: 'super_admin' }
  | { kind: 'api_key'; scope: string };

export const ACCESS_METADATA = 'beacon:access';

export function accessGrants(target: object): AccessGrant[] | undefined {
  return Reflect.getMetadata(ACCESS_METADATA, target) as AccessGrant[] | undefined;
}

function grant(access: AccessGrant, ...openApi: Array<MethodDecorator & ClassDecorator>) {
  return (target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor): void => {
    const holder = descriptor ? (descriptor.value as object) : target;
    Reflect.defineMetadata(ACCESS_METADATA, [...(accessGrants(holder) ?? []), access], holder);
    for (const decorate of openApi) {
      if (descriptor) decorate(target, propertyKey as string | symbol, descriptor);
      else (decorate as ClassDecorator)(target as never);
    }
  };
}

const bearer = ApiBearerAuth('bearer');

/** Anyone, signed in or not. */
export const Public = () => grant({ kind: 'public' });
/** Any valid credential of a person: customer, staff or super admin. */
export const SignedIn = () => grant({ kind: 'signed_in' }, bearer);
/** A customer of the tenant (customer JWT). */
export const Customer = () => grant({ kind: 'customer' }, bearer);
/** Tenant staff at this role or above (staff < admin < owner). */
export const Roles = (minimum: StaffRole) => grant({ kind: 'role', minimum }, bearer);
/** A platform super admin. */
export const SuperAdmin = () => grant({ kind: 'super_admin' }, bearer);
/** A tenant API key holding this scope (`Authorization: Bearer <key>` or `X-API-Key`). */
export const ApiKey = (scope: string) => grant({ kind: 'api_key', scope }, bearer, ApiSecurity('api_key'));

export const DEFER_STANDING_METADATA = 'beacon:defer-standing';

/** Whether a route leaves its customers' token standing to its transaction (see below). */
export function defersStanding(handler: object): boolean {
  return Reflect.getMetadata(DEFER_STANDING_METADATA, handler) === true;
}

/**
 * For a customer route whose work runs in one tenant transaction opened with the caller's
 * pending standing (IdempotencyService.execute passes it): the customer's token standing
 * (account active, password unchanged since the token, tenant not suspended, still a customer)
 * is checked in that transaction's opening statement, not in a round trip of its own before the
 * handler. A refused token aborts the transaction before anything is read or written and gets
 * the same 401/403 as anywhere else. StandingCheckInterceptor guarantees that no answer leaves
 * unchecked. Only routes that customers alone may reach defer: on any other, the guard checks
 * first, as usual.
 */
export const StandingCheckedInTransaction = () =>
  applyDecorators(SetMetadata(DEFER_STANDING_METADATA, true), UseInterceptors(StandingCheckInterceptor));

/** The authenticated caller, set by the access guard. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<{ actor?: Actor }>();
  if (!request.actor) throw new Error('CurrentActor used on a route without an authenticated caller');
  return request.actor;
});

/** The caller plus where the request came from: what an audit entry needs. */
export interface Caller {
  actor: Actor;
  ip: string | null;
  requestId: string | null;
}

/** The authenticated caller with the request's IP and id (for audited mutations). */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<{ actor?: Actor; ip?: string; id?: string }>();
  if (!request.actor) throw new Error('CurrentCaller used on a route without an authenticated caller');
  return { actor: request.actor, ip: request.ip ?? null, requestId: request.id ? String(request.id) : null };
});
