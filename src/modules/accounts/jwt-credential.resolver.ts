import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import passport from 'passport';
import { Actor, TenantRole } from '../../common/auth/actor';
import { CredentialResolver, ResolveOptions } from '../../common/auth/credential-resolver';
import { checkStandingNow } from '../../common/auth/standing';
import { UnauthenticatedError } from '../../common/errors/domain-error';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AccessClaims } from './token.service';

/**
 * Resolves `Authorization: Bearer <jwt>`: passport-jwt checks the signature and the claims (see
 * JwtStrategy), then the account behind them is checked: it still exists and is active, its
 * password has not changed since the token was issued, its tenant is not suspended. The role is
 * the account's, read from the database, so a token minted before a role change cannot keep it.
 * On a route that asks for it (`deferStanding`), a tenant user's check is left to the request's
 * transaction, which makes it as it opens (runInTenant's `standing`): the actor then carries the
 * token's role, which that check requires to be still the account's.
 */
@Injectable()
export class JwtCredentialResolver implements CredentialResolver {
  constructor(private readonly database: TenantDatabase) {}

  async resolve(request: FastifyRequest, options: ResolveOptions = {}): Promise<Actor | null> {
    if (!request.headers.authorization) return null;
    const claims = await verifiedClaims(request);
    const issuedAt = claims.iat ?? 0;
    if (claims.tid === null) return this.superAdmin(claims);

    const tenantId = claims.tid;
    const userId = claims.sub;
    // Only a customer's token is deferred (the routes that defer are for customers alone); any
    // other is checked now, so a disabled staff account still gets its 401 there.
    if (options.deferStanding && claims.role === 'customer') {
      const role: TenantRole = 'customer';
      return {
        kind: 'user',
        userId,
        tenantId,
        role,
        deferredStanding: { tenantId, userId, role, issuedAt, checked: false },
      };
    }
    const role = await checkStandingNow(this.database, tenantId, userId, issuedAt, null);
    return { kind: 'user', userId, tenantId, role };
  }

  private async superAdmin(claims: AccessClaims): Promise<Actor> {
    const [admin] = await this.database.queryOnce<{ password_changed_at: Date | null }>(
      `SELECT password_changed_at FROM platform_admins WHERE id = $1`,
      [claims.sub],
    );
    if (!admin) throw new UnauthenticatedError('The account no longer exists.', 'invalid_token');
    // `iat` has whole seconds: a token from the same second as the change is given the benefit.
    if (admin.password_changed_at && (claims.iat ?? 0) < Math.floor(admin.password_changed_at.getTime() / 1000)) {
      throw new UnauthenticatedError('The password has changed since this token was issued.', 'invalid_token');
    }
    return { kind: 'super_admin', userId: claims.sub, tenantId: null };
  }
}

/** The claims of the request's bearer token, through passport-jwt; a 401 when it is refused. */
function verifiedClaims(request: FastifyRequest): Promise<AccessClaims> {
  return new Promise((resolve, reject) => {
    const authenticate = passport.authenticate(
      'jwt',
      { session: false },
      (error: unknown, claims: AccessClaims | false, info: { message?: string } | undefined) => {
        // JwtStrategy.validate throws DomainErrors (invalid_token): pass them on.
        if (error) return reject(error);
        if (!claims) {
          const expired = info?.message === 'jwt expired';
          return reject(
            new UnauthenticatedError(
              expired ? 'The access token has expired.' : 'The access token is invalid.',
              expired ? 'token_expired' : 'invalid_token',
            ),
          );
        }
        resolve(claims);
      },
    ) as (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
    authenticate(request, {}, reject);
  });
}
