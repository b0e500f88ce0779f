import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError, ForbiddenError, UnauthenticatedError } from '../errors/domain-error';
import { AccessGrant, accessGrants, defersStanding } from './access.decorators';
import { Actor, roleIncludes } from './actor';
import { CREDENTIAL_RESOLVER, CredentialResolver } from './credential-resolver';

export function grantAllows(grant: AccessGrant, actor: Actor): boolean {
  switch (grant.kind) {
    case 'public':
      return true;
    case 'signed_in':
      return actor.kind !== 'api_key';
    case 'customer':
      return actor.kind === 'user' && actor.role === 'customer';
    case 'role':
      return actor.kind === 'user' && roleIncludes(actor.role, grant.minimum);
    case 'super_admin':
      return actor.kind === 'super_admin';
    case 'api_key':
      return actor.kind === 'api_key' && actor.scopes.includes(grant.scope);
  }
}

/**
 * The 403 for a caller no grant allows. An API key on a route open to keys is told which scope
 * it lacks, so the tenant knows what to grant; everything else gets the generic refusal.
 */
export function refusalFor(grants: AccessGrant[], actor: Actor): DomainError {
  const scopes = grants.flatMap((grant) => (grant.kind === 'api_key' ? [grant.scope] : []));
  if (actor.kind === 'api_key' && scopes.length > 0) {
    return new DomainError(403, 'insufficient_scope', `This API key lacks the scope ${scopes.join(' or ')}.`, {
      required_scopes: scopes,
    });
  }
  return new ForbiddenError('Your credential does not allow this route.', 'insufficient_role');
}

/**
 * Global guard that denies by default: a route that declares no access decorator is refused
 * for everyone, so forgetting one can never open a route.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(@Inject(CREDENTIAL_RESOLVER) private readonly credentials: CredentialResolver) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const grants = accessGrants(context.getHandler()) ?? accessGrants(context.getClass());
    if (!grants || grants.length === 0) {
      throw new ForbiddenError('This route declares no access rule and is closed.', 'access_not_declared');
    }
    if (grants.some((grant) => grant.kind === 'public')) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    // A customers-only route may leave the token's standing to its transaction.
    const deferStanding = defersStanding(context.getHandler()) && grants.every((grant) => grant.kind === 'customer');
    const actor = await this.credentials.resolve(request, { deferStanding });
    if (!actor) throw new UnauthenticatedError();
    if (!grants.some((grant) => grantAllows(grant, actor))) throw refusalFor(grants, actor);
    request.actor = actor;
    return true;
  }
}
