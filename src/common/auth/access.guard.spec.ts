import { grantAllows } from './access.guard';
import { Actor, roleIncludes } from './actor';

const user = (role: 'customer' | 'staff' | 'admin' | 'owner'): Actor => ({
  kind: 'user',
  userId: 'u',
  tenantId: 't',
  role,
});

describe('roles', () => {
  it('ranks staff < admin < owner and keeps customers apart', () => {
    expect(roleIncludes('owner', 'admin')).toBe(true);
    expect(roleIncludes('admin', 'admin')).toBe(true);
    expect(roleIncludes('staff', 'admin')).toBe(false);
    expect(roleIncludes('customer', 'staff')).toBe(false);
  });
});

describe('grantAllows', () => {
  const key: Actor = { kind: 'api_key', keyId: 'k', tenantId: 't', scopes: ['activities:write'] };
  const superAdmin: Actor = { kind: 'super_admin', userId: 's', tenantId: null };

  it('matches customers, roles, super admins and key scopes exactly', () => {
    expect(grantAllows({ kind: 'customer' }, user('customer'))).toBe(true);
    expect(grantAllows({ kind: 'customer' }, user('admin'))).toBe(false);
    expect(grantAllows({ kind: 'role', minimum: 'staff' }, user('owner'))).toBe(true);
    expect(grantAllows({ kind: 'role', minimum: 'owner' }, user('admin'))).toBe(false);
    expect(grantAllows({ kind: 'role', minimum: 'staff' }, superAdmin)).toBe(false);
    expect(grantAllows({ kind: 'super_admin' }, superAdmin)).toBe(true);
    expect(grantAllows({ kind: 'super_admin' }, user('owner'))).toBe(false);
    expect(grantAllows({ kind: 'api_key', scope: 'activities:write' }, key)).toBe(true);
    expect(grantAllows({ kind: 'api_key', scope: 'customers:write' }, key)).toBe(false);
    expect(grantAllows({ kind: 'api_key', scope: 'activities:write' }, user('owner'))).toBe(false);
    expect(grantAllows({ kind: 'signed_in' }, key)).toBe(false);
    expect(grantAllows({ kind: 'signed_in' }, user('customer'))).toBe(true);
  });
});
