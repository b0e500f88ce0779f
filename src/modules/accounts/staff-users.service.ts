import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { StaffRole, tenantIdOf } from '../../common/auth/actor';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/ids';
import { Page, cursorTimestamp, decodeCursor, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { EmailTakenError } from './account.errors';
import { CreateStaffUserDto, StaffUserDto, StaffUserQueryDto, UpdateStaffUserDto } from './dto/staff-user.dto';
import { passwordProblem } from './password-policy';
import { hashPassword } from './passwords';
import { EMAIL_CONFLICT_TARGET, type UserStatus } from './user.entity';

interface StaffUserRow {
  id: string;
  email: string;
  role: StaffRole;
  first_name: string;
  last_name: string;
  status: UserStatus;
  mfa_enabled: boolean;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** created_at to the microsecond, so that a page boundary never falls between two rows. */
  position: string;
}

/** The columns a staff account is shown with: never its password hash or TOTP secret. */
const USER_COLUMNS = `id, email, role, first_name, last_name, status, mfa_enabled_at IS NOT NULL AS mfa_enabled,
  last_login_at, created_at, updated_at,
  ${cursorTimestamp('created_at')} AS position`;

/** The fields an audit entry shows about an account. */
type AuditedUser = Pick<StaffUserDto, 'email' | 'role' | 'first_name' | 'last_name' | 'status'>;

function toDto(row: StaffUserRow): StaffUserDto {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    first_name: row.first_name,
    last_name: row.last_name,
    status: row.status,
    mfa_enabled: row.mfa_enabled,
    last_login_at: row.last_login_at ? row.last_login_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function audited(user: AuditedUser): AuditedUser {
  return {
    email: user.email,
    role: user.role,
    first_name: user.first_name,
    last_name: user.last_name,
    status: user.status,
  };
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Whether changing `before` into `after` leaves the tenant without an active owner, given the
 * ids of its active owners (locked by the caller). Pure.
 */
export function removesLastOwner(
  before: { id: string; role: StaffRole; status: UserStatus },
  after: { role: StaffRole; status: UserStatus },
  activeOwnerIds: string[],
): boolean {
  const wasActiveOwner = before.role === 'owner' && before.status === 'active';
  const staysActiveOwner = after.role === 'owner' && after.status === 'active';
  return wasActiveOwner && !staysActiveOwner && activeOwnerIds.every((id) => id === before.id);
}

const lastOwner = () =>
  new ConflictError('last_owner', 'This is the last active owner of the tenant; make someone else an owner first.');

/**
 * A tenant's staff accounts (staff, admin, owner), managed by its owners. Customers are not
 * reachable here: their ids answer 404 like any id that does not exist.
 */
@Injectable()
export class StaffUsersService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string, query: StaffUserQueryDto): Promise<Page<StaffUserDto>> {
    const position = decodeCursor(query.cursor, 2);
    const parameters: unknown[] = [];
    const bind = (value: unknown): string => `$${parameters.push(value)}`;
    const conditions = [`role <> 'customer'`];
    conditions.push(query.status ? `status = ${bind(query.status)}` : `status <> 'deleted'`);
    if (query.role) conditions.push(`role = ${bind(query.role)}`);
    if (query.q) {
      const pattern = bind(`%${escapeLike(query.q)}%`);
      conditions.push(
        `(email ILIKE ${pattern} OR first_name ILIKE ${pattern} OR last_name ILIKE ${pattern}
          OR first_name || ' ' || last_name ILIKE ${pattern})`,
      );
    }
    if (position) {
      conditions.push(`(created_at, id) < (${bind(position[0])}::timestamptz, ${bind(position[1])}::uuid)`);
    }
    const rows = (await this.database.run(tenantId, (manager) =>
      manager.query(
        `SELECT ${USER_COLUMNS} FROM users
          WHERE ${conditions.join(' AND ')}
          ORDER BY created_at DESC, id DESC
          LIMIT ${bind(query.limit + 1)}`,
        parameters,
      ),
    )) as StaffUserRow[];
    return pageOf(rows, query.limit, toDto, (row) => [row.position, row.id]);
  }

  /**
   * A deleted account's e-mail is free: the new account is another row, and the deleted one stays
   * as it was. Two creates of one e-mail at once: the second waits for the first to commit, then
   * inserts nothing and is refused.
   */
  async create(caller: Caller, input: CreateStaffUserDto): Promise<StaffUserDto> {
    const tenantId = tenantIdOf(caller.actor);
    const problem = passwordProblem(input.password, input.email);
    if (problem) throw new ValidationFailedError([{ field: 'password', message: problem }]);
    const passwordHash = await hashPassword(input.password);
    return this.database.run(tenantId, async (manager) => {
      const [created] = (await manager.query(
        `INSERT INTO users (tenant_id, email, password_hash, role, first_name, last_name)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ${EMAIL_CONFLICT_TARGET} DO NOTHING
         RETURNING ${USER_COLUMNS}`,
        [tenantId, input.email, passwordHash, input.role, input.first_name, input.last_name],
      )) as StaffUserRow[];
      if (!created) throw new EmailTakenError();
      await this.audit.record(manager, tenantId, caller, {
        action: 'user.created',
        targetType: 'user',
        targetId: created.id,
        after: audited(created),
      });
      return toDto(created);
    });
  }

  async update(caller: Caller, userId: string, input: UpdateStaffUserDto): Promise<StaffUserDto> {
    const tenantId = tenantIdOf(caller.actor);
    return this.database.run(tenantId, async (manager) => {
      const { owners, user } = await this.lockForChange(manager, userId);
      const next = {
        role: input.role ?? user.role,
        first_name: input.first_name ?? user.first_name,
        last_name: input.last_name ?? user.last_name,
        status: input.status ?? user.status,
      };
      const changed = (Object.keys(next) as Array<keyof typeof next>).some((field) => next[field] !== user[field]);
      if (!changed) return toDto(user);
      if (removesLastOwner(user, next, owners)) throw lastOwner();

      await manager.query(
        `UPDATE users SET role = $2, first_name = $3, last_name = $4, status = $5, updated_at = now()
          WHERE id = $1`,
        [user.id, next.role, next.first_name, next.last_name, next.status],
      );
      const [updated] = (await manager.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [
        user.id,
      ])) as StaffUserRow[];
      // A disabled account's sessions end now, not when its refresh tokens expire.
      if (next.status === 'disabled' && user.status !== 'disabled') {
        await this.revokeRefreshTokens(manager, tenantId, user.id, 'user_disabled');
      }
      await this.audit.record(manager, tenantId, caller, {
        action: 'user.updated',
        targetType: 'user',
        targetId: user.id,
        before: audited(user),
        after: audited(updated),
      });
      return toDto(updated);
    });
  }

  /** Soft delete: the row stays for the audit trail and ledgers; the account can never sign in again. */
  async remove(caller: Caller, userId: string): Promise<void> {
    const tenantId = tenantIdOf(caller.actor);
    await this.database.run(tenantId, async (manager) => {
      const { owners, user } = await this.lockForChange(manager, userId);
      if (removesLastOwner(user, { role: user.role, status: 'deleted' }, owners)) throw lastOwner();
      await manager.query(`UPDATE users SET status = 'deleted', updated_at = now() WHERE id = $1`, [user.id]);
      await this.revokeRefreshTokens(manager, tenantId, user.id, 'user_deleted');
      await this.audit.record(manager, tenantId, caller, {
        action: 'user.deleted',
        targetType: 'user',
        targetId: user.id,
        before: audited(user),
        after: { ...audited(user), status: 'deleted' },
      });
    });
  }

  /**
   * Locks the tenant's active owners, then the account being changed. Two owners demoting each
   * other at once both wait on the same owner rows, so the second sees the first's change and
   * the tenant keeps an owner. Owners are always locked first and in id order: no deadlock.
   */
  private async lockForChange(
    manager: EntityManager,
    userId: string,
  ): Promise<{ owners: string[]; user: StaffUserRow }> {
    if (!isUuid(userId)) throw new NotFoundError('User', userId);
    const owners = (await manager.query(
      `SELECT id FROM users WHERE role = 'owner' AND status = 'active' ORDER BY id FOR UPDATE`,
    )) as Array<{ id: string }>;
    const [user] = (await manager.query(
      `SELECT ${USER_COLUMNS} FROM users
        WHERE id = $1 AND role <> 'customer' AND status <> 'deleted'
        FOR UPDATE`,
      [userId],
    )) as StaffUserRow[];
    if (!user) throw new NotFoundError('User', userId);
    return { owners: owners.map((owner) => owner.id), user };
  }

  private async revokeRefreshTokens(
    manager: EntityManager,
    tenantId: string,
    userId: string,
    reason: 'user_deleted' | 'user_disabled',
  ): Promise<void> {
    await manager.query(
      `UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = $3
        WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [tenantId, userId, reason],
    );
  }
}
