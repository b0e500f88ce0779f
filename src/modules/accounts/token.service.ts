import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import type { TenantRole } from '../../common/auth/actor';

/** Claims of a Beacon access token. */
export interface AccessClaims {
  sub: string;
  /** Tenant id; null for platform super admins. */
  tid: string | null;
  role: TenantRole | 'super_admin';
  typ: 'access';
}

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  issue(claims: Omit<AccessClaims, 'typ'>): TokenPair {
    const access_token = this.jwt.sign({ ...claims, typ: 'access' } satisfies AccessClaims, {
      algorithm: 'HS256',
      expiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
    });
    return { access_token, token_type: 'Bearer', expires_in: this.config.JWT_ACCESS_TTL_SECONDS };
  }
}
