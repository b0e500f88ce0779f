import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Actor, TENANT_ROLES, TenantRole } from '../../common/auth/actor';
import { isUuid } from '../../common/ids';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AccessClaims, jwtKeys } from './token.service';

/** A token issued before the password last changed belongs to a session that change ended. */
function issuedBeforePasswordChange(claims: AccessClaims, passwordChangedAt: Date | null): boolean {
  if (!passwordChangedAt) return false;
  // `iat` has whole seconds: a token from the same second as the change is given the benefit.
  return (claims.iat ?? 0) < Math.floor(passwordChangedAt.getTime() / 1000);
}

/**
 * Verifies access tokens with the configured algorithm only (JWT_ALGORITHM: `alg: none`, any other
 * algorithm, and an HS256 token keyed with our RS/ES public key are all refused), then checks that
 * the account still exists, its password has not changed since, and its tenant is not suspended.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly database: TenantDatabase,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt passes the key straight to jsonwebtoken, which takes KeyObjects; only its
      // type declaration is narrower.
      secretOrKey: jwtKeys(config).verifyingKey as unknown as Buffer,
      algorithms: [config.JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessClaims): Promise<Actor> {
    if (claims.typ !== 'access' || !isUuid(claims.sub)) {
      throw new UnauthenticatedError('The token is not an access token.', 'invalid_token');
    }
    if (claims.role === 'super_admin' && claims.tid === null) {
      const [admin] = await this.database.queryOnce<{ password_changed_at: Date | null }>(
        `SELECT password_changed_at FROM platform_admins WHERE id = $1`,
        [claims.sub],
      );
      if (!admin) throw new UnauthenticatedError('The account no longer exists.', 'invalid_token');
      if (issuedBeforePasswordChange(claims, admin.password_changed_at)) {
        throw new UnauthenticatedError('The password has changed since this token was issued.', 'invalid_token');
      }
      return { kind: 'super_admin', userId: claims.sub, tenantId: null };
    }
    if (!isUuid(claims.tid) || !TENANT_ROLES.includes(claims.role as never)) {
      throw new UnauthenticatedError('The token carries malformed claims.', 'invalid_token');
    }
    const tenantId = claims.tid;
    // One round trip on every request: the function scopes itself to the tenant (see its migration).
    const [row] = await this.database.queryOnce<{
      role: TenantRole;
      status: string;
      password_changed_at: Date | null;
      tenant_status: string;
    }>(`SELECT role, status, password_changed_at, tenant_status FROM app_user_standing($1, $2)`, [
      tenantId,
      claims.sub,
    ]);
    if (!row || row.status !== 'active') {
      throw new UnauthenticatedError('The account no longer exists or is disabled.', 'invalid_token');
    }
    if (issuedBeforePasswordChange(claims, row.password_changed_at)) {
      throw new UnauthenticatedError('The password has changed since this token was issued.', 'invalid_token');
    }
    if (row.tenant_status === 'suspended') throw new ForbiddenError('This tenant is suspended.', 'tenant_suspended');
    // The role is read from the database, so a token minted before a role change cannot keep it.
    return {
      kind: 'user',
      userId: claims.sub,
      tenantId,
      role: row.role,
    };
  }
}
