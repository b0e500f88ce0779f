import request from 'supertest';
import { TenantEntity } from '../../src/modules/tenants/tenant.entity';
import { TestApp } from '../support/test-app';
import { authFixtures } from './auth-fixtures';

/** Shared by the locations*.e2e-spec and checkin*.e2e-spec files. */

const METRES_PER_DEGREE = 111_320;

const round7 = (value: number) => Math.round(value * 1e7) / 1e7;

/**
 * The position `north` and `east` metres away from [lon, lat] (a local flat approximation),
 * to 7 decimals (about 1 cm) as a device would send it.
 */
export function offset([lon, lat]: [number, number], north: number, east: number): [number, number] {
  return [
    round7(lon + east / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180))),
    round7(lat + north / METRES_PER_DEGREE),
  ];
}

/** A closed square ring of side 2 × `halfSide` metres centred on [lon, lat]. */
export function squareRing(centre: [number, number], halfSide: number): Array<[number, number]> {
  const corners = [
    offset(centre, -halfSide, -halfSide),
    offset(centre, -halfSide, halfSide),
    offset(centre, halfSide, halfSide),
    offset(centre, halfSide, -halfSide),
  ];
  return [...corners, corners[0]];
}

export const point = (coordinates: [number, number]) => ({ type: 'Point', coordinates });
export const squarePolygon = (centre: [number, number], halfSide: number) => ({
  type: 'Polygon',
  coordinates: [squareRing(centre, halfSide)],
});

/** Covent Garden, London. */
export const LONDON: [number, number] = [-0.1243, 51.5117];

export function locationFixtures(t: TestApp) {
  const auth = authFixtures(t);

  /** A tenant with a signed-in admin (and, optionally, a default program). */
  async function tenantWithAdmin(overrides: Partial<TenantEntity> = {}, withProgram = true) {
    const tenant = await auth.make.tenant(overrides);
    const admin = await auth.account('admin', tenant);
    const token = (await auth.signIn(admin)).access_token;
    let programId: string | null = null;
    if (withProgram) {
      const [program] = await auth.inTenant<Array<{ id: string }>>(
        tenant.id,
        `INSERT INTO programs (tenant_id, name, is_default) VALUES ($1, 'Rewards', true) RETURNING id`,
        [tenant.id],
      );
      programId = program.id;
    }
    return { tenant, token, adminId: admin.userId, programId };
  }

  /** A signed-in customer of `tenant` with a customers row of the same id. */
  async function customer(tenant: TenantEntity) {
    const account = await auth.account('customer', tenant);
    await auth.inTenant(tenant.id, `INSERT INTO customers (tenant_id, id, email) VALUES ($1, $2, $3)`, [
      tenant.id,
      account.userId,
      account.email,
    ]);
    return { id: account.userId, token: (await auth.signIn(account)).access_token };
  }

  const as = (token: string) => ({
    get: (path: string) => request(t.server).get(path).set('authorization', `Bearer ${token}`),
    post: (path: string, body: object, headers: Record<string, string> = {}) => {
      const call = request(t.server).post(path).set('authorization', `Bearer ${token}`);
      for (const [name, value] of Object.entries(headers)) void call.set(name, value);
      return call.send(body);
    },
    patch: (path: string, body: object) =>
      request(t.server).patch(path).set('authorization', `Bearer ${token}`).send(body),
    delete: (path: string) => request(t.server).delete(path).set('authorization', `Bearer ${token}`),
  });

  /** Creates a location through the API and returns its id. */
  async function location(token: string, body: object): Promise<string> {
    const res = await as(token).post('/api/admin/locations', body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  return { ...auth, tenantWithAdmin, customer, as, location };
}
