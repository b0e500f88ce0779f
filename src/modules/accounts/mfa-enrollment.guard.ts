import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/access.decorators';
import { Actor, roleIncludes, TenantRole } from '../../common/auth/actor';
import { CREDENTIAL_RESOLVER, CredentialResolver } from '../../common/auth/credential-resolver';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-error';
import { TenantDatabase } from '../../database/tenant-database.service';
import { TokenService } from './token.service';

type Request = FastifyRequest & { actor?: Actor };

/**
 * Access to MFA enrolment: staff and above or a super admin, signed in as usual (bearer access
 * token), or an admin whose tenant requires MFA and who holds the enrolment token that sign-in
 * answered with (in the body as `enrollment_token`). That token is accepted here and nowhere
 * else: JwtStrategy refuses every token whose `typ` is not `access`.
 */
@Injectable()
export class MfaEnrollmentGuard implements CanActivate {
  constructor(
    @Inject(CREDENTIAL_RESOLVER) private readonly credentials: CredentialResolver,
    private readonly tokens: TokenService,
    private readonly database: TenantDatabase,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const enrollmentToken = (request.body as { enrollment_token?: unknown } | undefined)?.enrollment_token;
    const actor =
      typeof enrollmentToken === 'string'
        ? await this.enrollingActor(enrollmentToken)
        : await this.credentials.resolve(request);
    if (!actor) throw new UnauthenticatedError();
    const allowed = actor.kind === 'super_admin' || (actor.kind === 'user' && roleIncludes(actor.role, 'staff'));
    if (!allowed) throw new ForbiddenError('MFA is for staff and above.', 'insufficient_role');
    request.actor = actor;
    return true;
  }

  private async enrollingActor(token: string): Promise<Actor> {
    const claims = this.tokens.verifyEnrollment(token);
    if (!claims) throw new UnauthenticatedError('The enrolment token is invalid or has expired.', 'invalid_token');
    const [row] = (await this.database.run(claims.tid, (manager) =>
      manager.query(
        `SELECT u.role, u.status, t.status AS tenant_status
           FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1`,
        [claims.sub],
      ),
    )) as Array<{ role: TenantRole; status: string; tenant_status: string }>;
    if (!row || row.status !== 'active') {
      throw new UnauthenticatedError('The account no longer exists or is disabled.', 'invalid_token');
    }
    if (row.tenant_status === 'suspended') throw new ForbiddenError('This tenant is suspended.', 'tenant_suspended');
    return { kind: 'user', userId: claims.sub, tenantId: claims.tid, role: row.role };
  }
}

/**
 * Staff and above or a super admin, by access token or MFA enrolment token. Declared public to the
 * global AccessGuard because MfaEnrollmentGuard does the check itself.
 */
export const StaffOrEnrolling = () => applyDecorators(Public(), UseGuards(MfaEnrollmentGuard), ApiBearerAuth('bearer'));
