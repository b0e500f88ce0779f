import { EntityManager } from 'typeorm';
import { Injectable } from '@nestjs/common';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, TenantRole } from '../../common/auth/actor';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthenticatedError,
  ValidationFailedError,
} from '../../common/errors/domain-error';
import { CustomersService } from '../customers/customers.service';
import { ActivitiesService } from '../loyalty/activities/activities.service';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { resolveSettings } from '../tenants/tenant-settings';
import { EmailTakenError } from './account.errors';
import { AccountRef, accountOf, accountRef, inAccountScope, tablesOf } from './account-ref';
import { ChangePasswordDto, CurrentUserDto, LoginDto, RegisterDto, TokenResponseDto } from './dto/auth.dto';
import { GuardedAttempt, LoginThrottle } from './login-throttle.service';
import { InvalidTotpError, MfaService } from './mfa.service';
import { passwordProblem } from './password-policy';
import { hashPassword, verifyPassword } from './passwords';
import { refreshTtlDaysOf, RefreshTokenService } from './refresh-tokens.service';
import { RequestOrigin } from './request-origin.decorator';
import { ENROLLMENT_TOKEN_TTL_SECONDS, TokenService } from './token.service';
import { EMAIL_CONFLICT_TARGET } from './user.entity';

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: string;
  settings: unknown;
}

interface AccountRow {
  id: string;
  role: TenantRole | 'super_admin';
  status: string;
  password_hash: string | null;
  mfa_secret: string | null;
  mfa_enabled: boolean;
}

type FailureReason = 'unknown_account' | 'wrong_password' | 'account_inactive' | 'invalid_totp';

const INVALID_CREDENTIALS = (): UnauthenticatedError =>
  new UnauthenticatedError('E-mail or password is wrong.', 'invalid_credentials');

@Injectable()
export class AuthService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly tokens: TokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly throttle: LoginThrottle,
    private readonly mfa: MfaService,
    private readonly audit: AuditService,
    private readonly customers: CustomersService,
    private readonly activities: ActivitiesService,
  ) {}

  /**
   * Sign-in. Failures are counted per account and per IP before anything is checked, so a burst
   * of parallel guesses cannot pass the limit; once over it, even the right password is refused
   * until the window ends. Nothing about the account (MFA, suspension) is revealed before the
   * password was verified.
   */
  async login(input: LoginDto, origin: RequestOrigin): Promise<TokenResponseDto> {
    const tenant = input.tenant ? await this.tenantBySlug(input.tenant) : undefined;
    const scope = input.tenant ? (tenant?.id ?? `unknown:${input.tenant}`) : 'platform';
    const attempt = await this.throttle.attempt(this.throttle.loginCounters(scope, input.email, origin.ip));
    if (attempt.throttled) {
      if (tenant) await this.recordLoginEvent(tenant.id, origin, 'auth.login_throttled', input.email);
      throw new TooManyRequestsError(
        attempt.retryAfterSeconds,
        'Too many failed sign-in attempts; try again after the Retry-After delay.',
        'too_many_login_attempts',
      );
    }

    const account = input.tenant && !tenant ? undefined : await this.findAccount(tenant?.id ?? null, input.email);
    // The password is checked (or a decoy hash is) before anything else is revealed.
    const passwordMatches = await verifyPassword(account?.password_hash, input.password);
    if (!account || !passwordMatches || account.status !== 'active') {
      const reason = !account ? 'unknown_account' : !passwordMatches ? 'wrong_password' : 'account_inactive';
      await this.loginFailed(tenant, origin, input.email, account?.id, reason);
      throw INVALID_CREDENTIALS();
    }
    const ref = accountRef(tenant?.id ?? null, account.id);
    await this.checkSecondFactor(input, tenant, ref, account, attempt, origin);

    const ttlDays = tenant ? refreshTtlDaysOf(tenant.settings) : this.refreshTokens.platformTtlDays;
    const refreshToken = await inAccountScope(this.database, ref.tenantId, async (manager) => {
      await manager.query(`UPDATE ${tablesOf(ref).accounts} SET last_login_at = now() WHERE id = $1`, [ref.userId]);
      return this.refreshTokens.startFamily(manager, ref, ttlDays);
    });
    await attempt.succeed();
    const access = this.tokens.issueAccess({ sub: account.id, tid: ref.tenantId, role: account.role });
    return { ...access, refresh_token: refreshToken, token_type: 'Bearer' };
  }

  /** After a verified password: suspension, then the TOTP code or the tenant's MFA requirement. */
  private async checkSecondFactor(
    input: LoginDto,
    tenant: TenantRow | undefined,
    ref: AccountRef,
    account: AccountRow,
    attempt: GuardedAttempt,
    origin: RequestOrigin,
  ): Promise<void> {
    if (tenant?.status === 'suspended') {
      await attempt.release();
      throw new ForbiddenError('This tenant is suspended.', 'tenant_suspended');
    }
    if (account.mfa_enabled && account.mfa_secret) {
      if (!input.totp) {
        await attempt.release();
        throw new UnauthenticatedError('Enter the code of your authenticator app as `totp`.', 'mfa_required');
      }
      // A wrong code stays counted as a failure: codes are short enough to be worth guessing.
      if (!(await this.mfa.acceptCode(ref, account.mfa_secret, input.totp))) {
        await this.loginFailed(tenant, origin, input.email, account.id, 'invalid_totp');
        throw new InvalidTotpError(401);
      }
      return;
    }
    const mustEnrol =
      tenant &&
      (account.role === 'admin' || account.role === 'owner') &&
      resolveSettings(tenant.settings).security.mfa_required_for_admins === true;
    if (mustEnrol) {
      await attempt.release();
      throw new DomainError(
        403,
        'mfa_enrollment_required',
        'This tenant requires MFA for admins: enrol an authenticator with the enrollment_token, then sign in again.',
        {
          enrollment_token: this.tokens.issueEnrollment(account.id, tenant.id),
          enrollment_token_expires_in: ENROLLMENT_TOKEN_TTL_SECONDS,
        },
      );
    }
  }

  /**
   * The account that signs in with `email`. Deleted accounts are left out: their e-mail may have
   * gone to a new account, and a deleted one answers like an unknown e-mail. The unique index
   * over the others leaves at most one.
   */
  private async findAccount(tenantId: string | null, email: string): Promise<AccountRow | undefined> {
    const tables = tablesOf({ tenantId });
    const [row] = (await inAccountScope(this.database, tenantId, (manager) =>
      manager.query(
        `SELECT a.id, ${tables.role} AS role, ${tables.status} AS status, a.password_hash, a.mfa_secret,
                a.mfa_enabled_at IS NOT NULL AS mfa_enabled
           FROM ${tables.accounts} a WHERE a.email = $1 AND ${tables.status} <> 'deleted'`,
        [email],
      ),
    )) as AccountRow[];
    return row;
  }

  private async loginFailed(
    tenant: TenantRow | undefined,
    origin: RequestOrigin,
    email: string,
    accountId: string | undefined,
    reason: FailureReason,
  ): Promise<void> {
    if (tenant) await this.recordLoginEvent(tenant.id, origin, 'auth.login_failed', email, accountId, reason);
  }

  /** Anonymous audit entries of a tenant's sign-in trouble: who was tried, from where (no secrets). */
  private recordLoginEvent(
    tenantId: string,
    origin: RequestOrigin,
    action: 'auth.login_failed' | 'auth.login_throttled',
    email: string,
    accountId?: string,
    reason?: FailureReason,
  ): Promise<void> {
    return this.audit.recordAlone(
      tenantId,
      { actor: null, ...origin },
      { action, targetType: 'user', targetId: accountId ?? null, after: { email, ...(reason ? { reason } : {}) } },
    );
  }

  /**
   * Changes the caller's password after checking the current one. Every refresh token of the
   * account is revoked, and access tokens issued before the change stop working (see JwtStrategy).
   */
  async changePassword(caller: Caller, input: ChangePasswordDto): Promise<void> {
    const account = accountOf(caller.actor);
    const tables = tablesOf(account);
    const attempt = await this.throttle.attempt(
      this.throttle.accountCounter('password-check', `${account.tenantId ?? 'platform'}:${account.userId}`),
    );
    if (attempt.throttled) {
      throw new TooManyRequestsError(
        attempt.retryAfterSeconds,
        'Too many wrong passwords; try again later.',
        'too_many_attempts',
      );
    }
    const [row] = (await inAccountScope(this.database, account.tenantId, (manager) =>
      manager.query(`SELECT email, password_hash FROM ${tables.accounts} WHERE id = $1`, [account.userId]),
    )) as Array<{ email: string; password_hash: string | null }>;
    if (!row) throw new NotFoundError('Account');
    if (!(await verifyPassword(row.password_hash, input.current_password))) {
      throw new ValidationFailedError([{ field: 'current_password', message: 'is wrong' }]);
    }
    await attempt.succeed();
    const problem = passwordProblem(input.new_password, row.email);
    if (problem) throw new ValidationFailedError([{ field: 'new_password', message: problem }]);
    const passwordHash = await hashPassword(input.new_password);
    await inAccountScope(this.database, account.tenantId, async (manager) => {
      // Conditional on the hash just verified: a concurrent change wins once, not twice.
      const [, changed] = (await manager.query(
        `UPDATE ${tables.accounts} SET password_hash = $3, password_changed_at = now()
          WHERE id = $1 AND password_hash = $2`,
        [account.userId, row.password_hash, passwordHash],
      )) as [unknown, number];
      if (changed === 0) throw new ConflictError('password_changed', 'The password was changed meanwhile.');
      await this.refreshTokens.revokeAll(manager, account, 'password_changed');
      if (account.kind === 'user') {
        await this.audit.record(manager, account.tenantId, caller, {
          action: 'auth.password_changed',
          targetType: 'user',
          targetId: account.userId,
        });
      }
    });
  }

  async register(input: RegisterDto): Promise<CurrentUserDto> {
    const problem = passwordProblem(input.password, input.email);
    if (problem) throw new ValidationFailedError([{ field: 'password', message: problem }]);
    const tenant = await this.tenantBySlug(input.tenant);
    if (!tenant) throw new NotFoundError('Tenant', input.tenant);
    if (tenant.status === 'suspended') throw new ForbiddenError('This tenant is suspended.', 'tenant_suspended');
    const passwordHash = await hashPassword(input.password);
    // The login and the loyalty profile (same id) are created together; the plan's customer
    // quota is checked in the same transaction, so a refused sign-up leaves neither behind.
    const [created] = await this.database.run(tenant.id, async (m) => {
      const rows = (await m.query(
        `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name)
         VALUES ($1, $2, $3, 'customer', $4, $5)
         ON CONFLICT ${EMAIL_CONFLICT_TARGET} DO NOTHING
         RETURNING id, email, first_name, last_name, role`,
        [tenant.id, input.email, passwordHash, input.first_name, input.last_name],
      )) as Array<{ id: string; email: string; first_name: string; last_name: string; role: string }>;
      if (rows[0]) {
        await this.customers.createForUser(m, tenant.id, {
          id: rows[0].id,
          email: rows[0].email,
          first_name: rows[0].first_name,
          last_name: rows[0].last_name,
        });
        await this.recordSignup(m, tenant.id, rows[0].id);
      }
      return rows;
    });
    if (!created) throw new EmailTakenError();
    return { ...created, tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name } };
  }

  /** A sign-up is an activity: the program's signup rules (a welcome bonus) pay out with it. */
  private async recordSignup(manager: EntityManager, tenantId: string, customerId: string): Promise<void> {
    const [program] = (await manager.query(
      `SELECT 1 FROM programs WHERE is_default AND status = 'active'`,
    )) as unknown[];
    if (!program) return;
    const actor: Actor = { kind: 'user', userId: customerId, tenantId, role: 'customer' };
    await this.activities.recordWithin(manager, actor, { type: 'signup', customer_id: customerId });
  }

  async currentUser(actor: Actor): Promise<CurrentUserDto> {
    if (actor.kind === 'super_admin') {
      const [admin] = await this.database.runAsPlatform((m) =>
        m.query(`SELECT id, email, first_name, last_name FROM platform_admins WHERE id = $1`, [actor.userId]),
      );
      return { ...admin, role: 'super_admin', tenant: null };
    }
    if (actor.kind !== 'user') throw new ForbiddenError('API keys have no user.', 'not_a_user');
    const [user] = (await this.database.run(actor.tenantId, (m) =>
      m.query(
        `SELECT u.id, u.email, u.first_name, u.last_name, u.role, t.slug, t.name
           FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1`,
        [actor.userId],
      ),
    )) as Array<CurrentUserDto & { slug: string; name: string }>;
    if (!user) throw new NotFoundError('User');
    const { slug, name, ...rest } = user;
    return { ...rest, tenant: { id: actor.tenantId, slug, name } };
  }

  private async tenantBySlug(slug: string): Promise<TenantRow | undefined> {
    const [tenant] = (await this.database.runAsPlatform((m) =>
      m.query(`SELECT id, slug, name, status, settings FROM tenants WHERE slug = $1`, [slug]),
    )) as TenantRow[];
    return tenant;
  }
}
