import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { Caller } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { ForbiddenError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { IdempotencyService, IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { isUuid } from '../../common/ids';
import { appendToOutbox } from '../../common/outbox/outbox';
import { decodeCursor, Page, pageOf } from '../../common/pagination/pagination';
import { TenantDatabase } from '../../database/tenant-database.service';
import { AuditService } from '../audit/audit.service';
import { QuotaService } from '../tenants/quota.service';
import { CustomerErasedError, EmailNotEditableError, ExternalIdTakenError } from './customer.errors';
import { auditedChange, auditedCustomer, profileFieldErrors } from './customer-fields';
import {
  auditableOf,
  CUSTOMER_SELECT,
  CustomerRow,
  defaultProgramId,
  selectCustomer,
  toCustomerDto,
  toProfileDto,
} from './customer-row';
import {
  CreateCustomerDto,
  CustomerDto,
  CustomerListQueryDto,
  UpdateCustomerDto,
  UpsertCustomerDto,
} from './dto/customer.dto';
import { ProfileDto, UpdateProfileDto } from './dto/profile.dto';

/** The columns a create or update may write, with the SQL cast each value needs. */
const WRITABLE = {
  email: '',
  external_id: '',
  first_name: '',
  last_name: '',
  phone: '',
  birthday: '::date',
  preferences: '::jsonb',
  segments: '::text[]',
  marketing_opt_in: '',
  leaderboard_opt_out: '',
} as const;
type WritableField = keyof typeof WRITABLE;
export type CustomerChanges = Partial<Record<WritableField, unknown>>;

/** What registration knows about a new customer; the id is the new user's id. */
export interface NewAppCustomer {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function isExternalIdViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const cause = error.driverError as { code?: string; constraint?: string };
  return cause.code === '23505' && cause.constraint === 'customers_external_id_key';
}

/** The fields of `input` that are present (undefined ones are left alone). */
function changesOf(input: object): CustomerChanges {
  const changes: CustomerChanges = {};
  for (const [field, value] of Object.entries(input)) {
    if (value !== undefined && field in WRITABLE) changes[field as WritableField] = value;
  }
  return changes;
}

function sqlValue(field: WritableField, value: unknown): unknown {
  return field === 'preferences' ? JSON.stringify(value) : value;
}

/**
 * Customer profiles: the admin API, the tenant servers' upsert by external id, the customer's own
 * profile, and the row registration creates. The customers table is written here and in
 * CustomerPrivacyService (erasure) only.
 */
@Injectable()
export class CustomersService {
  constructor(
    private readonly database: TenantDatabase,
    private readonly audit: AuditService,
    private readonly quotas: QuotaService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async list(tenantId: string, query: CustomerListQueryDto): Promise<Page<CustomerDto>> {
    const position = decodeCursor(query.cursor, 2);
    return this.database.run(tenantId, async (manager) => {
      const parameters: unknown[] = [await defaultProgramId(manager, tenantId)];
      const bind = (value: unknown): string => `$${parameters.push(value)}`;
      const conditions = [`c.tenant_id = ${bind(tenantId)}`, `c.status = ${bind(query.status ?? 'active')}`];
      if (query.q) {
        const pattern = bind(`%${escapeLike(query.q)}%`);
        conditions.push(
          `(c.email ILIKE ${pattern} OR c.first_name ILIKE ${pattern} OR c.last_name ILIKE ${pattern}
            OR c.first_name || ' ' || c.last_name ILIKE ${pattern} OR c.external_id ILIKE ${pattern})`,
        );
      }
      if (query.tier_id) conditions.push(`a.tier_id = ${bind(query.tier_id)}::uuid`);
      if (query.segment) conditions.push(`c.segments @> ARRAY[${bind(query.segment)}]::text[]`);
      if (position) {
        conditions.push(`(c.created_at, c.id) < (${bind(position[0])}::timestamptz, ${bind(position[1])}::uuid)`);
      }
      const rows = (await manager.query(
        `${CUSTOMER_SELECT}
          WHERE ${conditions.join(' AND ')}
          ORDER BY c.created_at DESC, c.id DESC
          LIMIT ${bind(query.limit + 1)}`,
        parameters,
      )) as CustomerRow[];
      return pageOf(rows, query.limit, toCustomerDto, (row) => [row.position, row.id]);
    });
  }

  /** Another tenant's customer, an unknown id and a malformed one are all 404. */
  async get(tenantId: string, customerId: string): Promise<CustomerDto> {
    const row = await this.database.run(tenantId, (manager) => this.findOrFail(manager, tenantId, customerId));
    return toCustomerDto(row);
  }

  create(
    caller: Caller,
    request: IdempotentRequest,
    input: CreateCustomerDto,
  ): Promise<IdempotentOutcome<CustomerDto>> {
    const tenantId = tenantIdOf(caller.actor);
    this.assertFields(input);
    return this.idempotency.execute(request, 201, async (manager) => {
      const row = await this.insert(manager, tenantId, changesOf(input));
      if (!row) throw new ExternalIdTakenError();
      await this.audit.record(manager, tenantId, caller, {
        action: 'customer.created',
        targetType: 'customer',
        targetId: row.id,
        after: auditedCustomer(auditableOf(row)),
      });
      await this.announce(manager, tenantId, 'customer.created', row.id, { source: 'admin' });
      return toCustomerDto(row);
    });
  }

  async update(caller: Caller, customerId: string, input: UpdateCustomerDto): Promise<CustomerDto> {
    const tenantId = tenantIdOf(caller.actor);
    this.assertFields(input);
    return this.database.run(tenantId, async (manager) => {
      const before = await this.findOrFail(manager, tenantId, customerId, true);
      if (before.status === 'erased') throw new CustomerErasedError();
      const changes = changesOf(input);
      if (changes.email !== undefined && changes.email !== before.email && (await this.signsIn(manager, before.id))) {
        throw new EmailNotEditableError();
      }
      const after = await this.write(manager, tenantId, before, changes);
      const change = auditedChange(auditableOf(before), auditableOf(after));
      if (change) {
        await this.audit.record(manager, tenantId, caller, {
          action: 'customer.updated',
          targetType: 'customer',
          targetId: before.id,
          ...change,
        });
        await this.announce(manager, tenantId, 'customer.updated', before.id, { changed: Object.keys(change.after) });
      }
      return toCustomerDto(after);
    });
  }

  async getByExternalId(tenantId: string, externalId: string): Promise<CustomerDto> {
    const row = await this.database.run(tenantId, (manager) => this.byExternalId(manager, tenantId, externalId));
    if (!row) throw new NotFoundError('Customer');
    return toCustomerDto(row);
  }

  /**
   * Creates or updates the customer known by the tenant's own id. Two concurrent calls for a new
   * id cannot both create: the insert is ON CONFLICT on the partial unique index, and the loser
   * updates the winner's row instead.
   */
  async upsertByExternalId(
    caller: Caller,
    externalId: string,
    input: UpsertCustomerDto,
  ): Promise<{ created: boolean; customer: CustomerDto }> {
    const tenantId = tenantIdOf(caller.actor);
    this.assertFields(input);
    const changes = changesOf(input);
    return this.database.run(tenantId, async (manager) => {
      let existing = await this.byExternalId(manager, tenantId, externalId, true);
      if (!existing) {
        const created = await this.insert(manager, tenantId, { ...changes, external_id: externalId });
        if (created) {
          await this.audit.record(manager, tenantId, caller, {
            action: 'customer.created',
            targetType: 'customer',
            targetId: created.id,
            after: auditedCustomer(auditableOf(created)),
          });
          await this.announce(manager, tenantId, 'customer.created', created.id, { source: 'api' });
          return { created: true, customer: toCustomerDto(created) };
        }
        // A concurrent request created it between our look-up and our insert (which then waited
        // for that transaction and did nothing): update that row instead.
        existing = await this.byExternalId(manager, tenantId, externalId, true);
        if (!existing) throw new Error(`customer ${externalId} vanished during upsert`);
      }
      const after = await this.write(manager, tenantId, existing, changes);
      const change = auditedChange(auditableOf(existing), auditableOf(after));
      if (change) {
        await this.audit.record(manager, tenantId, caller, {
          action: 'customer.updated',
          targetType: 'customer',
          targetId: existing.id,
          ...change,
        });
        await this.announce(manager, tenantId, 'customer.updated', existing.id, { changed: Object.keys(change.after) });
      }
      return { created: false, customer: toCustomerDto(after) };
    });
  }

  /**
   * The customer row of a newly registered app user, with the same id. Call it inside the
   * registration transaction (`manager` from TenantDatabase.run(tenantId, ...)), after the users
   * row was inserted: it checks the customers quota (422 quota_exceeded rolls the registration
   * back) and writes the `customer.created` event.
   */
  async createForUser(manager: EntityManager, tenantId: string, customer: NewAppCustomer): Promise<void> {
    await this.quotas.assertCanAdd(manager, tenantId, 'customers');
    await manager.query(
      `INSERT INTO customers (tenant_id, id, email, first_name, last_name) VALUES ($1, $2, $3, $4, $5)`,
      [tenantId, customer.id, customer.email, customer.first_name, customer.last_name],
    );
    await this.announce(manager, tenantId, 'customer.created', customer.id, { source: 'registration' });
  }

  async profile(actor: Actor): Promise<ProfileDto> {
    const tenantId = tenantIdOf(actor);
    const row = await this.database.run(tenantId, (manager) => this.ownRow(manager, actor));
    return toProfileDto(row);
  }

  async updateProfile(actor: Actor, input: UpdateProfileDto): Promise<ProfileDto> {
    const tenantId = tenantIdOf(actor);
    this.assertFields(input);
    return this.database.run(tenantId, async (manager) => {
      const before = await this.ownRow(manager, actor, true);
      const after = await this.write(manager, tenantId, before, changesOf(input));
      const change = auditedChange(auditableOf(before), auditableOf(after));
      if (change) {
        await this.announce(manager, tenantId, 'customer.updated', before.id, { changed: Object.keys(change.after) });
      }
      return toProfileDto(after);
    });
  }

  /** The caller's own customer row (the customer id is the user id). */
  private async ownRow(manager: EntityManager, actor: Actor, lock = false): Promise<CustomerRow> {
    if (actor.kind !== 'user') throw new ForbiddenError('Only customers have a profile.', 'not_a_customer');
    const row = await selectCustomer(manager, actor.tenantId, actor.userId, lock);
    if (!row || row.status !== 'active') throw new NotFoundError('Customer profile');
    return row;
  }

  private async findOrFail(
    manager: EntityManager,
    tenantId: string,
    customerId: string,
    lock = false,
  ): Promise<CustomerRow> {
    const row = isUuid(customerId) ? await selectCustomer(manager, tenantId, customerId, lock) : undefined;
    if (!row) throw new NotFoundError('Customer', isUuid(customerId) ? customerId : undefined);
    return row;
  }

  private async byExternalId(
    manager: EntityManager,
    tenantId: string,
    externalId: string,
    lock = false,
  ): Promise<CustomerRow | undefined> {
    const programId = await defaultProgramId(manager, tenantId);
    const [row] = (await manager.query(
      `${CUSTOMER_SELECT} WHERE c.tenant_id = $2 AND c.external_id = $3 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [programId, tenantId, externalId],
    )) as CustomerRow[];
    return row;
  }

  private async signsIn(manager: EntityManager, customerId: string): Promise<boolean> {
    const rows = (await manager.query(`SELECT 1 FROM users WHERE id = $1 AND role = 'customer'`, [
      customerId,
    ])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Inserts a customer after the quota check; undefined when the external id is taken (the
   * ON CONFLICT waits for a concurrent insert of the same id to commit, then does nothing).
   */
  private async insert(
    manager: EntityManager,
    tenantId: string,
    changes: CustomerChanges,
  ): Promise<CustomerRow | undefined> {
    await this.quotas.assertCanAdd(manager, tenantId, 'customers');
    const fields = Object.keys(changes) as WritableField[];
    const values = fields.map((field) => sqlValue(field, changes[field]));
    const placeholders = fields.map((field, index) => `$${index + 2}${WRITABLE[field]}`);
    const inserted = (await manager.query(
      `INSERT INTO customers (tenant_id${fields.map((field) => `, ${field}`).join('')})
       VALUES ($1${placeholders.map((placeholder) => `, ${placeholder}`).join('')})
       ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO NOTHING
       RETURNING id`,
      [tenantId, ...values],
    )) as Array<{ id: string }>;
    if (inserted.length === 0) return undefined;
    return selectCustomer(manager, tenantId, inserted[0].id);
  }

  /** Applies `changes` to a locked row; names also go to the sign-in account, which shows them. */
  private async write(
    manager: EntityManager,
    tenantId: string,
    before: CustomerRow,
    changes: CustomerChanges,
  ): Promise<CustomerRow> {
    const fields = (Object.keys(changes) as WritableField[]).filter(
      (field) => JSON.stringify(changes[field]) !== JSON.stringify(before[field]),
    );
    if (fields.length === 0) return before;
    const values = fields.map((field) => sqlValue(field, changes[field]));
    try {
      await manager.query(
        `UPDATE customers SET ${fields.map((field, index) => `${field} = $${index + 3}${WRITABLE[field]}`).join(', ')},
                updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, before.id, ...values],
      );
    } catch (error) {
      if (isExternalIdViolation(error)) throw new ExternalIdTakenError();
      throw error;
    }
    if (fields.includes('first_name') || fields.includes('last_name')) {
      await manager.query(
        `UPDATE users SET first_name = $2, last_name = $3, updated_at = now() WHERE id = $1 AND role = 'customer'`,
        [before.id, changes.first_name ?? before.first_name, changes.last_name ?? before.last_name],
      );
    }
    const after = await selectCustomer(manager, tenantId, before.id);
    if (!after) throw new Error(`customer ${before.id} vanished during update`);
    return after;
  }

  /** Checks a decorator cannot express: a real past birthday, preferences within 8 KB. */
  private assertFields(input: { birthday?: string | null; preferences?: unknown }): void {
    const errors = profileFieldErrors(input, new Date());
    if (errors.length > 0) throw new ValidationFailedError(errors);
  }

  private async announce(
    manager: EntityManager,
    tenantId: string,
    type: string,
    customerId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    // Events carry ids, never personal data: outbox rows outlive an erasure.
    await appendToOutbox(manager, tenantId, [
      { type, aggregateType: 'customer', aggregateId: customerId, payload: { customer_id: customerId, ...details } },
    ]);
  }
}
