import type { FastifyRequest } from 'fastify';
import { Actor } from './actor';

/**
 * Turns a request's credential (JWT or API key) into an Actor, or null when it carries none.
 * Throws a 401/403 DomainError for a credential that is present but not acceptable.
 */
export interface CredentialResolver {
  resolve(request: FastifyRequest): Promise<Actor | null>;
}

export const CREDENTIAL_RESOLVER = Symbol('CREDENTIAL_RESOLVER');
