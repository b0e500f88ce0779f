import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { runInTenant } from '../../src/database/tenant-transaction';
import { TokenService } from '../../src/modules/accounts/token.service';
import { credit, lockAccount } from '../../src/modules/loyalty/ledger/ledger';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { TestApp } from '../support/test-app';
import { customerFixtures } from './customers-fixtures';

const DAY = 86_400_000;

/** Shared by the rewards*.e2e-spec and redemptions*.e2e-spec files. */
export interface Shopper {
  id: string;
  token: string;
}

export interface Lot {
  points: number;
  /** Days from now; null or left out = never expires. */
  expiresInDays?: number | null;
}

export function rewardFixtures(t: TestApp) {
  const base = customerFixtures(t);
  const { dataSource, inTenant, bearer } = base;
  const tokens = t.app.get(TokenService);

  /**
   * `count` signed-in customers of `tenant` at once: users and customers rows written directly and
   * access tokens issued by the app's own TokenService (registering hundreds through argon2 would
   * take minutes and test nothing of rewards). Every request still goes through the real JWT check.
   */
  async function shoppers(tenant: TenantEntity, count: number): Promise<Shopper[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    await inTenant(
      tenant.id,
      `INSERT INTO users (tenant_id, id, email, password_hash, role, first_name, last_name)
       SELECT $1, id, 'shopper-' || id || '@example.com', 'not-a-hash', 'customer', 'Shop', 'Per'
         FROM unnest($2::uuid[]) AS id`,
      [tenant.id, ids],
    );
    await inTenant(
      tenant.id,
      `INSERT INTO customers (tenant_id, id, email, first_name, last_name)
       SELECT $1, id, 'shopper-' || id || '@example.com', 'Shop', 'Per' FROM unnest($2::uuid[]) AS id`,
      [tenant.id, ids],
    );
    return ids.map((id) => ({
      id,
      token: tokens.issueAccess({ sub: id, tid: tenant.id, role: 'customer' }).access_token,
    }));
  }

  /** Earned points, one lot each, straight through the ledger. */
  async function givePoints(tenantId: string, programId: string, customerId: string, lots: Lot[]): Promise<void> {
    const now = new Date();
    await runInTenant(dataSource, tenantId, async (manager) => {
      const account = await lockAccount(manager, tenantId, customerId, programId);
      for (const lot of lots) {
        const expiresAt = lot.expiresInDays == null ? null : new Date(now.getTime() + lot.expiresInDays * DAY);
        await credit(manager, account, [{ type: 'earn', points: lot.points, reason: 'test' }], {
          now,
          availableAt: null,
          expiresAt,
        });
      }
    });
  }

  /** A reward created by an admin through the API; answers its id. */
  async function reward(adminToken: string, body: Record<string, unknown> = {}): Promise<string> {
    const res = await request(t.server)
      .post('/api/admin/rewards')
      .set(bearer(adminToken))
      .send({ name: `Reward ${randomUUID().slice(0, 8)}`, point_cost: 100, ...body });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /** A location of the tenant (a 100 m circle in London), written directly. */
  async function location(tenantId: string, name = 'Shop'): Promise<string> {
    const [row] = await inTenant<Array<{ id: string }>>(
      tenantId,
      `INSERT INTO locations (tenant_id, name, position, radius_m)
       VALUES ($1, $2, ST_GeogFromText('POINT(-0.1276 51.5072)'), 100) RETURNING id`,
      [tenantId, name],
    );
    return row.id;
  }

  const redeem = (token: string, rewardId: string, body: object = {}) =>
    request(t.server).post(`/api/rewards/${rewardId}/redeem`).set(bearer(token)).send(body);

  /** The tenant's state that a refused redemption must leave as it was. */
  async function stateOf(tenantId: string) {
    const [row] = await inTenant<
      Array<{ balances: string; ledger: string; ledger_rows: number; redemptions: number; stock: string; lots: string }>
    >(
      tenantId,
      `SELECT (SELECT COALESCE(sum(balance), 0) FROM loyalty_accounts)::bigint AS balances,
              (SELECT COALESCE(sum(points), 0) FROM point_transactions)::bigint AS ledger,
              (SELECT count(*) FROM point_transactions)::int AS ledger_rows,
              (SELECT count(*) FROM redemptions)::int AS redemptions,
              (SELECT COALESCE(sum(quantity_available), 0) FROM rewards)::bigint AS stock,
              (SELECT COALESCE(sum(remaining), 0) FROM point_lots)::bigint AS lots`,
    );
    return row;
  }

  return { ...base, shoppers, givePoints, reward, location, redeem, stateOf };
}
