import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Actor, TENANT_ROLES, TenantRole } from '../../common/auth/actor';
import { isUuid } from '../../common/ids';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AccessClaims } from './token.service';

/**
 * Verifies access tokens (HS256 only: `alg: none` and other algorithms are refused), then checks
 * that the account still exists and its tenant is not suspended: a token outlives neither.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly database: TenantDatabase,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.JWT_SECRET,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessClaims): Promise<Actor> {
    if (claims.typ !== 'access' || !isUuid(claims.sub)) {
      throw new UnauthenticatedError('The token is not an access token.', 'invalid_token');
    }
    if (claims.role === 'super_admin' && claims.tid === null) {
      const [admin] = await this.database.runAsPlatform((m) =>
        m.query(`SELECT id FROM platform_admins WHERE id = $1`, [claims.sub]),
      );
      if (!admin) throw new UnauthenticatedError('The account no longer exists.', 'invalid_token');
      return { kind: 'super_admin', userId: claims.sub, tenantId: null };
    }
    if (!isUuid(claims.tid) || !TENANT_ROLES.includes(claims.role as never)) {
      throw new UnauthenticatedError('The token carries malformed claims.', 'invalid_token');
    }
    const tenantId = claims.tid;
    const [row] = (await this.database.run(tenantId, (m) =>
      m.query(
        `SELECT u.role, u.status, t.status AS tenant_status
           FROM users u JOIN tenants t ON t.id = u.tenant_id
          WHERE u.tenant_id = $1 AND u.id = $2`,
        [tenantId, claims.sub],
      ),
    )) as Array<{ role: TenantRole; status: string; tenant_status: string }>;
    if (!row || row.status !== 'active') {
      throw new UnauthenticatedError('The account no longer exists or is disabled.', 'invalid_token');
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
