import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { TenantRole } from '../../common/auth/actor';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { resolveSettings } from '../tenants/tenant-settings';
import { AccountRef, accountOf, accountRef, inAccountScope, tablesOf } from './account-ref';
import { TokenResponseDto } from './dto/auth.dto';
import { mintToken, parseToken, secretMatches } from './opaque-token';
import { RequestOrigin } from './request-origin.decorator';
import { TokenService } from './token.service';

export type RevocationReason = 'reuse_detected' | 'logout' | 'password_changed' | 'password_reset';

interface RefreshTokenRow {
  family_id: string;
  account_id: string;
  token_hash: string;
  used: boolean;
  revoked: boolean;
  expired: boolean;
}

interface AccountStateRow {
  role: TenantRole | 'super_admin';
  status: string;
  tenant_status: string | null;
  settings: unknown;
}

type Rotation =
  | { outcome: 'rotated'; accountId: string; role: TenantRole | 'super_admin'; refreshToken: string }
  | { outcome: 'invalid' | 'revoked' | 'reused' | 'expired' | 'account_inactive' | 'tenant_suspended' };

const REFUSALS = {
  invalid: () => new UnauthenticatedError('The refresh token is not valid.', 'refresh_token_invalid'),
  revoked: () =>
    new UnauthenticatedError('The refresh token has been revoked; sign in again.', 'refresh_token_revoked'),
  reused: () =>
    new UnauthenticatedError(
      'The refresh token was already used; every session of this sign-in is now revoked. Sign in again.',
      'refresh_token_reused',
    ),
  expired: () => new UnauthenticatedError('The refresh token has expired; sign in again.', 'refresh_token_expired'),
  account_inactive: () => new UnauthenticatedError('The account no longer exists or is disabled.', 'account_inactive'),
  tenant_suspended: () => new ForbiddenError('This tenant is suspended.', 'tenant_suspended'),
};

/** A tenant's refresh token lifetime (its security settings), within sane bounds. */
export function refreshTtlDaysOf(settings: unknown): number {
  const days = resolveSettings(settings).security.refresh_token_ttl_days;
  return Number.isInteger(days) && days >= 1 && days <= 365 ? days : 30;
}

/**
 * Rotating refresh tokens. Each sign-in starts a family; each refresh spends the presented token
 * and issues its successor in the family. Presenting a spent token means two parties hold it (one
 * of them stole it), so the whole family is revoked: the thief's successor dies with it.
 */
@Injectable()
export class RefreshTokenService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a family for a fresh sign-in; `manager` must be in the account's scope. */
  startFamily(manager: EntityManager, account: AccountRef, ttlDays: number): Promise<string> {
    return this.insert(manager, account, randomUUID(), ttlDays);
  }

  /** Lifetime of super admins' refresh tokens (tenants set their own). */
  get platformTtlDays(): number {
    return this.config.PLATFORM_REFRESH_TOKEN_TTL_DAYS;
  }

  private async insert(manager: EntityManager, account: AccountRef, familyId: string, ttlDays: number) {
    const minted = mintToken('rt', account.tenantId);
    const common = [minted.id, familyId, account.userId, minted.secretHash, ttlDays];
    if (account.kind === 'user') {
      await manager.query(
        `INSERT INTO refresh_tokens (tenant_id, id, family_id, user_id, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6))`,
        [account.tenantId, ...common],
      );
    } else {
      await manager.query(
        `INSERT INTO platform_refresh_tokens (id, family_id, admin_id, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))`,
        common,
      );
    }
    return minted.token;
  }

  /** A new token pair for a valid refresh token, which is spent by it. */
  async refresh(token: string, origin: RequestOrigin): Promise<TokenResponseDto> {
    const parsed = parseToken('rt', token);
    if (!parsed) throw REFUSALS.invalid();
    // Decided inside the transaction, thrown after it: a reuse revokes the family and that
    // revocation must commit even though the caller is refused.
    const rotation = await inAccountScope(this.database, parsed.tenantId, async (manager): Promise<Rotation> => {
      const tables = tablesOf(parsed);
      // FOR UPDATE: of two concurrent refreshes with one token, the second waits here and then
      // sees the token spent.
      const [row] = (await manager.query(
        `SELECT family_id, ${tables.owner} AS account_id, token_hash, used_at IS NOT NULL AS used,
                revoked_at IS NOT NULL AS revoked, expires_at <= now() AS expired
           FROM ${tables.refreshTokens} WHERE id = $1 FOR UPDATE`,
        [parsed.id],
      )) as RefreshTokenRow[];
      if (!row || !secretMatches(parsed.secret, row.token_hash)) return { outcome: 'invalid' };
      if (row.revoked) return { outcome: 'revoked' };
      const account = accountRef(parsed.tenantId, row.account_id);
      if (row.used) {
        await this.revokeFamily(manager, account, row.family_id, 'reuse_detected');
        if (account.kind === 'user') {
          // A stolen token is the likely cause: the tenant's admins should be able to see it.
          await this.audit.record(
            manager,
            account.tenantId,
            { actor: null, ...origin },
            { action: 'auth.refresh_token_reused', targetType: 'user', targetId: account.userId },
          );
        }
        return { outcome: 'reused' };
      }
      if (row.expired) return { outcome: 'expired' };

      const state = await this.accountState(manager, account);
      if (!state || state.status !== 'active') return { outcome: 'account_inactive' };
      if (state.tenant_status === 'suspended') return { outcome: 'tenant_suspended' };
      await manager.query(`UPDATE ${tables.refreshTokens} SET used_at = now() WHERE id = $1`, [parsed.id]);
      const ttlDays = account.kind === 'user' ? refreshTtlDaysOf(state.settings) : this.platformTtlDays;
      const refreshToken = await this.insert(manager, account, row.family_id, ttlDays);
      return { outcome: 'rotated', accountId: account.userId, role: state.role, refreshToken };
    });
    if (rotation.outcome !== 'rotated') throw REFUSALS[rotation.outcome]();

    const access = this.tokens.issueAccess({ sub: rotation.accountId, tid: parsed.tenantId, role: rotation.role });
    return { ...access, refresh_token: rotation.refreshToken, token_type: 'Bearer' };
  }

  private async accountState(manager: EntityManager, account: AccountRef): Promise<AccountStateRow | undefined> {
    const [row] = (await manager.query(
      account.kind === 'user'
        ? `SELECT u.role, u.status, t.status AS tenant_status, t.settings
             FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1`
        : `SELECT 'super_admin' AS role, 'active' AS status, NULL AS tenant_status, NULL AS settings
             FROM platform_admins WHERE id = $1`,
      [account.userId],
    )) as AccountStateRow[];
    return row;
  }

  /**
   * Ends the sign-in a refresh token belongs to, if it is the caller's own. Anything else (someone
   * else's token, garbage) changes nothing and is not told apart, so logout reveals nothing.
   */
  async logout(caller: Caller, token: string): Promise<void> {
    const parsed = parseToken('rt', token);
    const account = accountOf(caller.actor);
    if (!parsed || parsed.tenantId !== account.tenantId) return;
    const tables = tablesOf(account);
    await inAccountScope(this.database, account.tenantId, async (manager) => {
      const [row] = (await manager.query(
        `SELECT family_id, token_hash FROM ${tables.refreshTokens} WHERE id = $1 AND ${tables.owner} = $2`,
        [parsed.id, account.userId],
      )) as Array<{ family_id: string; token_hash: string }>;
      if (!row || !secretMatches(parsed.secret, row.token_hash)) return;
      const revoked = await this.revokeFamily(manager, account, row.family_id, 'logout');
      if (revoked > 0 && account.kind === 'user') {
        await this.audit.record(manager, account.tenantId, caller, {
          action: 'auth.logout',
          targetType: 'user',
          targetId: account.userId,
        });
      }
    });
  }

  private async revokeFamily(
    manager: EntityManager,
    account: AccountRef,
    familyId: string,
    reason: RevocationReason,
  ): Promise<number> {
    const [, count] = (await manager.query(
      `UPDATE ${tablesOf(account).refreshTokens} SET revoked_at = now(), revoked_reason = $2
        WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId, reason],
    )) as [unknown, number];
    return count;
  }

  /** Revokes every refresh token of an account (password changed or reset). */
  async revokeAll(manager: EntityManager, account: AccountRef, reason: RevocationReason): Promise<void> {
    const tables = tablesOf(account);
    await manager.query(
      `UPDATE ${tables.refreshTokens} SET revoked_at = now(), revoked_reason = $2
        WHERE ${tables.owner} = $1 AND revoked_at IS NULL`,
      [account.userId, reason],
    );
  }
}
