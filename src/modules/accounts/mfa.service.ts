import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { toDataURL } from 'qrcode';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { ConflictError, DomainError, NotFoundError, TooManyRequestsError } from '../../common/errors/domain-error';
import { REDIS } from '../../common/redis/redis.module';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { AccountRef, accountOf, inAccountScope, tablesOf } from './account-ref';
import { MfaSetupResponseDto } from './dto/auth.dto';
import { GuardedAttempt, LoginThrottle } from './login-throttle.service';
import { SecretBox } from './secret-box';
import { generateTotpSecret, matchingTotpStep, TOTP_STEP_SECONDS, totpUri } from './totp';

interface MfaRow {
  email: string;
  slug: string | null;
  mfa_secret: string | null;
  mfa_enabled: boolean;
}

/** A TOTP code that is wrong, or was already used. */
export class InvalidTotpError extends DomainError {
  constructor(status: 400 | 401) {
    super(
      status,
      'invalid_totp',
      'The authenticator code is wrong or was already used.',
      status === 400 ? { errors: [{ field: 'code', message: 'is wrong or was already used' }] } : {},
    );
  }
}

// Accept a step only if it is later than the last accepted one: a code seen over someone's
// shoulder (or replayed from a log) is dead once used. Atomic, so two requests racing with the
// same code cannot both pass.
const ACCEPT_STEP = `
local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`;

/**
 * TOTP second factor for staff and above and for super admins: enrolment (a pending secret, shown
 * once), confirmation with a first code, removal with a current code, and code checks at sign-in.
 * Secrets are stored sealed with MFA_ENCRYPTION_KEY.
 */
@Injectable()
export class MfaService {
  private readonly box: SecretBox;

  constructor(
    private readonly database: TenantDatabase,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottle,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Without a key of its own (development, tests) one is derived from the JWT secret.
    this.box = new SecretBox(config.MFA_ENCRYPTION_KEY ?? `derived from JWT_SECRET|${config.JWT_SECRET}`);
  }

  async setup(caller: Caller): Promise<MfaSetupResponseDto> {
    const account = accountOf(caller.actor);
    const secret = generateTotpSecret();
    const row = await inAccountScope(this.database, account.tenantId, async (manager) => {
      const locked = await this.lockAccount(manager, account);
      if (locked.mfa_enabled) {
        throw new ConflictError('mfa_already_enabled', 'MFA is already enabled; disable it to enrol another device.');
      }
      await manager.query(`UPDATE ${tablesOf(account).accounts} SET mfa_secret = $2 WHERE id = $1`, [
        account.userId,
        this.box.seal(secret),
      ]);
      await this.recordChange(manager, account, caller, 'auth.mfa_setup');
      return locked;
    });
    const issuer = row.slug ? `Beacon (${row.slug})` : 'Beacon platform';
    const otpauthUri = totpUri(secret, row.email, issuer);
    return { otpauth_uri: otpauthUri, qr_png: await toDataURL(otpauthUri), secret };
  }

  async enable(caller: Caller, code: string): Promise<void> {
    const account = accountOf(caller.actor);
    await this.withCodeAttempt(account, (manager, row) => {
      if (row.mfa_enabled) throw new ConflictError('mfa_already_enabled', 'MFA is already enabled.');
      if (!row.mfa_secret) throw new ConflictError('mfa_not_set_up', 'Start with POST /api/auth/mfa/setup.');
      return this.confirmCode(account, row.mfa_secret, code, async () => {
        await manager.query(`UPDATE ${tablesOf(account).accounts} SET mfa_enabled_at = now() WHERE id = $1`, [
          account.userId,
        ]);
        await this.recordChange(manager, account, caller, 'auth.mfa_enabled');
      });
    });
  }

  async disable(caller: Caller, code: string): Promise<void> {
    const account = accountOf(caller.actor);
    await this.withCodeAttempt(account, (manager, row) => {
      if (!row.mfa_enabled || !row.mfa_secret) throw new ConflictError('mfa_not_enabled', 'MFA is not enabled.');
      return this.confirmCode(account, row.mfa_secret, code, async () => {
        await manager.query(
          `UPDATE ${tablesOf(account).accounts} SET mfa_secret = NULL, mfa_enabled_at = NULL WHERE id = $1`,
          [account.userId],
        );
        await this.recordChange(manager, account, caller, 'auth.mfa_disabled');
      });
    });
  }

  /**
   * Whether `code` is the current code of the sealed secret and was not used before; an accepted
   * code is used up.
   */
  async acceptCode(account: AccountRef, sealedSecret: string, code: string): Promise<boolean> {
    const secret = this.box.open(sealedSecret);
    const step = secret ? matchingTotpStep(secret, code) : null;
    if (step === null) return false;
    const key = `${this.config.QUEUE_PREFIX}:totp-last-step:${account.tenantId ?? 'platform'}:${account.userId}`;
    // Kept a little longer than any step stays acceptable (the window is one step either side).
    const accepted = await this.redis.eval(ACCEPT_STEP, 1, key, step, TOTP_STEP_SECONDS * 10);
    return accepted === 1;
  }

  private async confirmCode(
    account: AccountRef,
    sealedSecret: string,
    code: string,
    onAccepted: () => Promise<void>,
  ): Promise<void> {
    if (!(await this.acceptCode(account, sealedSecret, code))) throw new InvalidTotpError(400);
    await onAccepted();
  }

  /**
   * Runs a code check in the account's transaction, counted against the account's failure budget:
   * guessing codes for a stolen session is throttled like guessing passwords.
   */
  private async withCodeAttempt(
    account: AccountRef,
    work: (manager: EntityManager, row: MfaRow) => Promise<void>,
  ): Promise<void> {
    const attempt: GuardedAttempt = await this.throttle.attempt(
      this.throttle.accountCounter('mfa-code', `${account.tenantId ?? 'platform'}:${account.userId}`),
    );
    if (attempt.throttled) {
      throw new TooManyRequestsError(
        attempt.retryAfterSeconds,
        'Too many wrong codes; try again later.',
        'too_many_attempts',
      );
    }
    try {
      await inAccountScope(this.database, account.tenantId, async (manager) =>
        work(manager, await this.lockAccount(manager, account)),
      );
    } catch (error) {
      if (!(error instanceof InvalidTotpError)) await attempt.release();
      throw error;
    }
    await attempt.succeed();
  }

  private async lockAccount(manager: EntityManager, account: AccountRef): Promise<MfaRow> {
    const [row] = (await manager.query(
      account.kind === 'user'
        ? `SELECT u.email, t.slug, u.mfa_secret, u.mfa_enabled_at IS NOT NULL AS mfa_enabled
             FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1 FOR UPDATE OF u`
        : `SELECT email, NULL AS slug, mfa_secret, mfa_enabled_at IS NOT NULL AS mfa_enabled
             FROM platform_admins WHERE id = $1 FOR UPDATE`,
      [account.userId],
    )) as MfaRow[];
    if (!row) throw new NotFoundError('Account');
    return row;
  }

  private async recordChange(manager: EntityManager, account: AccountRef, caller: Caller, action: string) {
    if (account.kind !== 'user') return;
    await this.audit.record(manager, account.tenantId, caller, {
      action,
      targetType: 'user',
      targetId: account.userId,
    });
  }
}
