import { Injectable } from '@nestjs/common';
import { Actor } from '../../common/auth/actor';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationFailedError,
} from '../../common/errors/domain-error';
import { TenantDatabase } from '../../database/tenant-database.service';
import { CurrentUserDto, LoginDto, RegisterDto, TokenResponseDto } from './dto/auth.dto';
import { passwordProblem } from './password-policy';
import { hashPassword, verifyPassword } from './passwords';
import { TokenService } from './token.service';

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: string;
}

const INVALID_CREDENTIALS = (): UnauthenticatedError =>
  new UnauthenticatedError('E-mail or password is wrong.', 'invalid_credentials');

@Injectable()
export class AuthService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly tokens: TokenService,
  ) {}

  async login(input: LoginDto): Promise<TokenResponseDto> {
    if (!input.tenant) {
      const [admin] = (await this.database.runAsPlatform((m) =>
        m.query(`SELECT id, password_hash FROM platform_admins WHERE email = $1`, [input.email]),
      )) as Array<{ id: string; password_hash: string }>;
      if (!(await verifyPassword(admin?.password_hash, input.password))) throw INVALID_CREDENTIALS();
      return this.tokens.issue({ sub: admin.id, tid: null, role: 'super_admin' });
    }

    const tenant = await this.tenantBySlug(input.tenant);
    const [user] = tenant
      ? ((await this.database.run(tenant.id, (m) =>
          m.query(`SELECT id, role, status, password_hash FROM users WHERE email = $1`, [input.email]),
        )) as Array<{ id: string; role: 'customer'; status: string; password_hash: string | null }>)
      : [];
    // The password is checked (or a decoy hash is) before anything else is revealed.
    const passwordMatches = await verifyPassword(user?.password_hash, input.password);
    if (!tenant || !user || !passwordMatches || user.status !== 'active') throw INVALID_CREDENTIALS();
    if (tenant.status === 'suspended') throw new ForbiddenError('This tenant is suspended.', 'tenant_suspended');
    return this.tokens.issue({ sub: user.id, tid: tenant.id, role: user.role });
  }

  async register(input: RegisterDto): Promise<CurrentUserDto> {
    const problem = passwordProblem(input.password, input.email);
    if (problem) throw new ValidationFailedError([{ field: 'password', message: problem }]);
    const tenant = await this.tenantBySlug(input.tenant);
    if (!tenant) throw new NotFoundError('Tenant', input.tenant);
    if (tenant.status === 'suspended') throw new ForbiddenError('This tenant is suspended.', 'tenant_suspended');
    const passwordHash = await hashPassword(input.password);
    const [created] = (await this.database.run(tenant.id, (m) =>
      m.query(
        `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name)
         VALUES ($1, $2, $3, 'customer', $4, $5)
         ON CONFLICT (tenant_id, email) DO NOTHING
         RETURNING id, email, first_name, last_name, role`,
        [tenant.id, input.email, passwordHash, input.first_name, input.last_name],
      ),
    )) as Array<{ id: string; email: string; first_name: string; last_name: string; role: string }>;
    if (!created) throw new ConflictError('email_taken', 'An account with this e-mail already exists.');
    return { ...created, tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name } };
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
      m.query(`SELECT id, slug, name, status FROM tenants WHERE slug = $1`, [slug]),
    )) as TenantRow[];
    return tenant;
  }
}
