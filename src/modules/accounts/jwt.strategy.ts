import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { TENANT_ROLES } from '../../common/auth/actor';
import { isUuid } from '../../common/ids';
import { UnauthenticatedError } from '../../common/errors/domain-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { AccessClaims, jwtKeys } from './token.service';

/**
 * Verifies access tokens with the configured algorithm only (JWT_ALGORITHM: `alg: none`, any other
 * algorithm, and an HS256 token keyed with our RS/ES public key are all refused) and the shape of
 * their claims.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt passes the key straight to jsonwebtoken, which takes KeyObjects; only its
      // type declaration is narrower.
      secretOrKey: jwtKeys(config).verifyingKey as unknown as Buffer,
      algorithms: [config.JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  /**
   * The claims' shape only; the account behind them is looked up by JwtCredentialResolver, which
   * may leave that to the request's transaction (StandingCheckedInTransaction).
   */
  validate(claims: AccessClaims): AccessClaims {
    if (claims.typ !== 'access' || !isUuid(claims.sub)) {
      throw new UnauthenticatedError('The token is not an access token.', 'invalid_token');
    }
    if (claims.role === 'super_admin' && claims.tid === null) return claims;
    if (!isUuid(claims.tid) || !TENANT_ROLES.includes(claims.role as never)) {
      throw new UnauthenticatedError('The token carries malformed claims.', 'invalid_token');
    }
    return claims;
  }
}
