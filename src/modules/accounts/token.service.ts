import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtModuleOptions, JwtService } from '@nestjs/jwt';
import { isUuid } from '../../common/ids';
import type { TenantRole } from '../../common/auth/actor';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';

/** Claims of a Beacon access token. */
export interface AccessClaims {
  sub: string;
  /** Tenant id; null for platform super admins. */
  tid: string | null;
  role: TenantRole | 'super_admin';
  typ: 'access';
  /** Issued at (seconds), set by the signer. */
  iat?: number;
}

/**
 * Claims of an MFA enrolment token: an admin whose tenant requires MFA gets one instead of an
 * access token. Only the MFA setup and enable routes accept it (JwtStrategy refuses any `typ`
 * but `access`).
 */
export interface EnrollmentClaims {
  sub: string;
  tid: string;
  typ: 'mfa_enrollment';
}

export const ENROLLMENT_TOKEN_TTL_SECONDS = 600;

/**
 * Signing and verifying keys for the configured algorithm; the strategy accepts no other. Built
 * once as KeyObjects: given a string, jsonwebtoken re-parses it on every call (trying it as a
 * public key first and failing, for an HMAC secret), which showed up in check-in profiles.
 */
export function jwtKeys(config: AppConfig): { signingKey: KeyObject; verifyingKey: KeyObject } {
  if (config.JWT_ALGORITHM === 'HS256') {
    const secret = createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8'));
    return { signingKey: secret, verifyingKey: secret };
  }
  return {
    signingKey: createPrivateKey(config.JWT_PRIVATE_KEY!),
    verifyingKey: createPublicKey(config.JWT_PUBLIC_KEY!),
  };
}

export function jwtModuleOptions(config: AppConfig): JwtModuleOptions {
  const { signingKey, verifyingKey } = jwtKeys(config);
  const asymmetric = config.JWT_ALGORITHM !== 'HS256';
  return {
    ...(asymmetric ? { privateKey: signingKey, publicKey: verifyingKey } : { secret: signingKey }),
    signOptions: { algorithm: config.JWT_ALGORITHM },
    verifyOptions: { algorithms: [config.JWT_ALGORITHM] },
  };
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  issueAccess(claims: Omit<AccessClaims, 'typ' | 'iat'>): { access_token: string; expires_in: number } {
    const access_token = this.jwt.sign({ ...claims, typ: 'access' } satisfies AccessClaims, {
      expiresIn: this.config.JWT_ACCESS_TTL_SECONDS,
    });
    return { access_token, expires_in: this.config.JWT_ACCESS_TTL_SECONDS };
  }

  issueEnrollment(userId: string, tenantId: string): string {
    return this.jwt.sign({ sub: userId, tid: tenantId, typ: 'mfa_enrollment' } satisfies EnrollmentClaims, {
      expiresIn: ENROLLMENT_TOKEN_TTL_SECONDS,
    });
  }

  /** The claims of a valid, unexpired enrolment token, or null. */
  verifyEnrollment(token: string): EnrollmentClaims | null {
    try {
      const claims = this.jwt.verify<EnrollmentClaims>(token);
      return claims.typ === 'mfa_enrollment' && isUuid(claims.sub) && isUuid(claims.tid) ? claims : null;
    } catch {
      return null;
    }
  }
}
