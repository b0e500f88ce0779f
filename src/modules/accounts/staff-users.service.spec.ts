import { removesLastOwner } from './staff-users.service';

const owner = { id: 'a', role: 'owner' as const, status: 'active' as const };

describe('removesLastOwner', () => {
  it('refuses demoting, disabling or deleting the only active owner', () => {
    expect(removesLastOwner(owner, { role: 'admin', status: 'active' }, ['a'])).toBe(true);
    expect(removesLastOwner(owner, { role: 'owner', status: 'disabled' }, ['a'])).toBe(true);
    expect(removesLastOwner(owner, { role: 'owner', status: 'deleted' }, ['a'])).toBe(true);
  });

  it('allows it when another owner is active', () => {
    expect(removesLastOwner(owner, { role: 'staff', status: 'active' }, ['a', 'b'])).toBe(false);
  });

  it('ignores changes that keep the owner active, and accounts that were not active owners', () => {
    expect(removesLastOwner(owner, { role: 'owner', status: 'active' }, ['a'])).toBe(false);
    const disabledOwner = { id: 'c', role: 'owner' as const, status: 'disabled' as const };
    expect(removesLastOwner(disabledOwner, { role: 'owner', status: 'deleted' }, ['a'])).toBe(false);
    const admin = { id: 'd', role: 'admin' as const, status: 'active' as const };
    expect(removesLastOwner(admin, { role: 'staff', status: 'disabled' }, ['a'])).toBe(false);
  });
});
