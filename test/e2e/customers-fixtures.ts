import request from 'supertest';
import type { TenantRole } from '../../src/common/auth/actor';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { TestApp } from '../support/test-app';
import { authFixtures, PASSWORD } from './auth-fixtures';

/** Shared by the customers*.e2e-spec and customer-app*.e2e-spec files. */
export interface AppCustomer {
  tenant: TenantEntity;
  id: string;
  email: string;
  token: string;
  refreshToken: string;
}

export function customerFixtures(t: TestApp) {
  const auth = authFixtures(t);
  const { make, unique, inTenant } = auth;

  /** A tenant as provisioning leaves it: with a default program (and its expiry policy). */
  async function tenantWithProgram(expiryPolicy: object = { type: 'never' }, overrides: Partial<TenantEntity> = {}) {
    const tenant = await make.tenant(overrides);
    const [program] = await inTenant<Array<{ id: string }>>(
      tenant.id,
      `INSERT INTO programs (tenant_id, name, is_default, expiry_policy) VALUES ($1, 'Rewards', true, $2::jsonb)
       RETURNING id`,
      [tenant.id, JSON.stringify(expiryPolicy)],
    );
    return { tenant, programId: program.id };
  }

  /** A signed-in staff member of `tenant` with `role`: their bearer token. */
  async function staffToken(tenant: TenantEntity, role: Exclude<TenantRole, 'customer'>): Promise<string> {
    const account = await auth.account(role, tenant);
    return (await auth.signIn(account)).access_token;
  }

  /**
   * A customer who signed up in the app: registered through POST /api/auth/register and signed in.
   * Registration creates the customers row once the accounts module calls
   * CustomersService.createForUser; until then this inserts it, with the same id.
   */
  async function appCustomer(tenant: TenantEntity, names = { first_name: 'Ann', last_name: 'Lee' }) {
    const email = `ann-${unique()}@example.com`;
    const registered = await request(t.server)
      .post('/api/auth/register')
      .send({ tenant: tenant.slug, email, password: PASSWORD, ...names });
    expect(registered.status).toBe(201);
    const id = registered.body.id as string;
    await inTenant(
      tenant.id,
      `INSERT INTO customers (tenant_id, id, email, first_name, last_name) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [tenant.id, id, email, names.first_name, names.last_name],
    );
    const login = await auth.login({ tenant: tenant.slug, email, password: PASSWORD });
    expect(login.status).toBe(200);
    return {
      tenant,
      id,
      email,
      token: login.body.access_token as string,
      refreshToken: login.body.refresh_token as string,
    } satisfies AppCustomer;
  }

  /** An API key of `tenant` holding `scopes`, created by an admin through the API. */
  async function apiKey(tenant: TenantEntity, scopes: string[]): Promise<string> {
    const admin = await staffToken(tenant, 'admin');
    const res = await request(t.server)
      .post('/api/admin/api-keys')
      .set('authorization', `Bearer ${admin}`)
      .send({ name: 'server', scopes });
    expect(res.status).toBe(201);
    return res.body.secret as string;
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** The ledger sum and the balances of every account of a customer, straight from the tables. */
  async function ledgerOf(tenantId: string, customerId: string) {
    const [row] = await inTenant<Array<{ balance: string; pending: string; ledger: string; rows: number }>>(
      tenantId,
      `SELECT COALESCE(sum(a.balance), 0)::bigint AS balance, COALESCE(sum(a.pending_balance), 0)::bigint AS pending,
              (SELECT COALESCE(sum(t.points), 0) FROM point_transactions t
                 JOIN loyalty_accounts x ON x.tenant_id = t.tenant_id AND x.id = t.account_id
                WHERE x.customer_id = $1)::bigint AS ledger,
              (SELECT count(*) FROM point_transactions t
                 JOIN loyalty_accounts x ON x.tenant_id = t.tenant_id AND x.id = t.account_id
                WHERE x.customer_id = $1)::int AS rows
         FROM loyalty_accounts a WHERE a.customer_id = $1`,
      [customerId],
    );
    return {
      balance: Number(row.balance),
      pending: Number(row.pending),
      ledger: Number(row.ledger),
      rows: row.rows,
    };
  }

  return { ...auth, tenantWithProgram, staffToken, appCustomer, apiKey, bearer, ledgerOf };
}
