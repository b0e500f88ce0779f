import type { FastifyRequest } from 'fastify';
import { Actor } from './actor';

/**
 * Turns a request's credential (JWT or API key) into an Actor, or null when it carries none.
 * Throws a 401/403 DomainError for a credential that is present but not acceptable.
 */
export interface CredentialResolver {
  resolve(request: FastifyRequest, options?: ResolveOptions): Promise<Actor | null>;
}

export interface ResolveOptions {
  /**
   * A tenant user's standing (account active, password unchanged, tenant not suspended, role
   * unchanged) is left to the request's transaction (see StandingCheckedInTransaction): the
   * actor carries it as `deferredStanding`. Other credentials are checked as usual.
   */
  deferStanding?: boolean;
}

export const CREDENTIAL_RESOLVER = Symbol('CREDENTIAL_RESOLVER');
