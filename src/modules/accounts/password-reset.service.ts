import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Caller } from '../../common/auth/access.decorators';
import { TenantRole } from '../../common/auth/actor';
import { DomainError, ValidationFailedError } from '../../common/errors/domain-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { Mailer } from '../notifications/mailer';
import { accountRef, actorOf, inAccountScope, tablesOf } from './account-ref';
import { PasswordResetConfirmDto, PasswordResetRequestDto } from './dto/auth.dto';
import { LoginThrottle } from './login-throttle.service';
import { mintToken, parseToken, secretMatches } from './opaque-token';
import { passwordProblem } from './password-policy';
import { hashPassword } from './passwords';
import { RefreshTokenService } from './refresh-tokens.service';

/** Every reset request answers after at least this long, whether or not the account exists. */
export const RESET_REQUEST_MIN_MS = 300;
const RESET_TOKEN_TTL_MINUTES = 60;

interface ResetTokenRow {
  account_id: string;
  token_hash: string;
  usable: boolean;
  email: string;
  role: TenantRole | 'super_admin';
}

const resetTokenInvalid = () =>
  new DomainError(400, 'reset_token_invalid', 'The reset link is invalid, has expired or was already used.', {
    errors: [{ field: 'token', message: 'is invalid, expired or already used' }],
  });

/** The link in the e-mail: PASSWORD_RESET_URL with the token as its `token` query parameter. */
export function resetLink(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * "Forgot my password": a single-use token, valid for an hour, stored hashed and sent by e-mail.
 * The request answers 202 whatever the e-mail, in the same time, so that it reveals no accounts.
 */
@Injectable()
export class PasswordResetService {
  private readonly log = new Logger(PasswordResetService.name);

  constructor(
    private readonly database: TenantDatabase,
    private readonly refreshTokens: RefreshTokenService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async request(input: PasswordResetRequestDto, origin: Omit<Caller, 'actor'>): Promise<void> {
    const started = Date.now();
    try {
      await this.issue(input, origin);
    } finally {
      // The e-mail goes out in the background and the answer waits for a fixed minimum, so the
      // response time says nothing about whether the account exists.
      await sleep(Math.max(0, RESET_REQUEST_MIN_MS - (Date.now() - started)));
    }
  }

  private async issue(input: PasswordResetRequestDto, origin: Omit<Caller, 'actor'>): Promise<void> {
    const tenant = input.tenant ? await this.activeTenant(input.tenant) : null;
    const minted = mintToken('prt', tenant?.id ?? null);
    if (input.tenant && !tenant) return;
    const account = await inAccountScope(this.database, minted.tenantId, async (manager) => {
      const tables = tablesOf(minted);
      const [row] = (await manager.query(
        `SELECT a.id, a.email, ${tables.role} AS role FROM ${tables.accounts} a
          WHERE a.email = $1 AND ${tables.status} = 'active'`,
        [input.email],
      )) as Array<{ id: string; email: string; role: TenantRole | 'super_admin' }>;
      return row;
    });
    if (!account) return;

    // Caps the e-mails one address can be sent per window; past the cap, silently nothing.
    const attempt = await this.throttle.attempt(
      this.throttle.accountCounter('reset-mail', `${minted.tenantId ?? 'platform'}:${account.id}`),
    );
    if (attempt.throttled) return;

    const ref = accountRef(minted.tenantId, account.id);
    await inAccountScope(this.database, minted.tenantId, async (manager) => {
      if (ref.kind === 'user') {
        await manager.query(
          `INSERT INTO password_reset_tokens (tenant_id, id, user_id, token_hash, expires_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))`,
          [ref.tenantId, minted.id, ref.userId, minted.secretHash, RESET_TOKEN_TTL_MINUTES],
        );
        await this.audit.record(
          manager,
          ref.tenantId,
          { actor: null, ...origin },
          { action: 'auth.password_reset_requested', targetType: 'user', targetId: ref.userId },
        );
      } else {
        await manager.query(
          `INSERT INTO platform_password_reset_tokens (id, admin_id, token_hash, expires_at)
           VALUES ($1, $2, $3, now() + make_interval(mins => $4))`,
          [minted.id, ref.userId, minted.secretHash, RESET_TOKEN_TTL_MINUTES],
        );
      }
    });
    const link = resetLink(this.config.PASSWORD_RESET_URL, minted.token);
    this.mailer
      .send({
        to: account.email,
        subject: 'Reset your Beacon password',
        text:
          `Someone asked to reset the password of ${account.email}${tenant ? ` at ${tenant.name}` : ''}.\n\n` +
          `To choose a new password, open this link within ${RESET_TOKEN_TTL_MINUTES} minutes:\n${link}\n\n` +
          `If it was not you, ignore this e-mail: your password stays as it is.\n`,
      })
      // The message holds the token: log that sending failed, never what was sent.
      .catch((error: Error) => this.log.error(`Password reset e-mail could not be sent: ${error.message}`));
  }

  async confirm(input: PasswordResetConfirmDto, origin: Omit<Caller, 'actor'>): Promise<void> {
    const parsed = parseToken('prt', input.token);
    // Hashed before the token is looked at, so that a bad token costs the same time as a good one.
    const passwordHash = await hashPassword(input.new_password);
    if (!parsed) throw resetTokenInvalid();
    const tables = tablesOf(parsed);
    const policyProblem = await inAccountScope(this.database, parsed.tenantId, async (manager) => {
      const [row] = (await manager.query(
        `SELECT r.${tables.owner} AS account_id, r.token_hash, a.email, ${tables.role} AS role,
                (r.used_at IS NULL AND r.expires_at > now() AND ${tables.status} = 'active') AS usable
           FROM ${tables.resetTokens} r JOIN ${tables.accounts} a ON a.id = r.${tables.owner}
          WHERE r.id = $1 FOR UPDATE OF r`,
        [parsed.id],
      )) as ResetTokenRow[];
      if (!row || !row.usable || !secretMatches(parsed.secret, row.token_hash)) throw resetTokenInvalid();
      // A refused password leaves the token usable for a second try.
      const problem = passwordProblem(input.new_password, row.email);
      if (problem) return problem;

      const account = accountRef(parsed.tenantId, row.account_id);
      await manager.query(
        `UPDATE ${tables.accounts} SET password_hash = $2, password_changed_at = now() WHERE id = $1`,
        [account.userId, passwordHash],
      );
      // Every outstanding reset link of the account dies with this one.
      await manager.query(
        `UPDATE ${tables.resetTokens} SET used_at = now() WHERE ${tables.owner} = $1 AND used_at IS NULL`,
        [account.userId],
      );
      await this.refreshTokens.revokeAll(manager, account, 'password_reset');
      if (account.kind === 'user') {
        await this.audit.record(
          manager,
          account.tenantId,
          { actor: actorOf(account, row.role), ...origin },
          { action: 'auth.password_reset', targetType: 'user', targetId: account.userId },
        );
      }
      return null;
    });
    if (policyProblem) throw new ValidationFailedError([{ field: 'new_password', message: policyProblem }]);
  }

  private async activeTenant(slug: string): Promise<{ id: string; name: string } | undefined> {
    const [tenant] = (await this.database.runAsPlatform((manager) =>
      manager.query(`SELECT id, name FROM tenants WHERE slug = $1 AND status = 'active'`, [slug]),
    )) as Array<{ id: string; name: string }>;
    return tenant;
  }
}
