import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import passport from 'passport';
import { Actor } from '../../common/auth/actor';
import { CredentialResolver } from '../../common/auth/credential-resolver';
import { UnauthenticatedError } from '../../common/errors/domain-error';

/** Resolves `Authorization: Bearer <jwt>` through passport-jwt (see JwtStrategy). */
@Injectable()
export class JwtCredentialResolver implements CredentialResolver {
  resolve(request: FastifyRequest): Promise<Actor | null> {
    if (!request.headers.authorization) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const authenticate = passport.authenticate(
        'jwt',
        { session: false },
        (error: unknown, actor: Actor | false, info: { message?: string } | undefined) => {
          // JwtStrategy.validate throws DomainErrors (tenant_suspended, invalid_token): pass them on.
          if (error) return reject(error);
          if (!actor) {
            const expired = info?.message === 'jwt expired';
            return reject(
              new UnauthenticatedError(
                expired ? 'The access token has expired.' : 'The access token is invalid.',
                expired ? 'token_expired' : 'invalid_token',
              ),
            );
          }
          resolve(actor);
        },
      ) as (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
      authenticate(request, {}, reject);
    });
  }
}
