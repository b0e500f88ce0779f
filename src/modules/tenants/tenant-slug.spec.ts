import { slugProblem } from './tenant-slug';

describe('tenant slugs', () => {
  it.each(['abc', 'acme-coffee', 'a1-b2-c3', '123', 'x'.repeat(40), 'api-co', 'my-admin'])('accepts %p', (slug) => {
    expect(slugProblem(slug)).toBeNull();
  });

  it.each([
    ['ab', /3 to 40/],
    ['x'.repeat(41), /3 to 40/],
    ['Acme', /lowercase/],
    ['acme_coffee', /lowercase letters, digits and hyphens/],
    ['acme coffee', /lowercase/],
    ['café', /lowercase/],
    ['-acme', /start and end/],
    ['acme-', /start and end/],
    ['admin', /reserved/],
    ['api', /reserved/],
    ['www', /reserved/],
    ['beacon', /reserved/],
    [42, /string/],
  ])('refuses %p', (slug, reason) => {
    expect(slugProblem(slug)).toMatch(reason);
  });

  it('agrees with the database CHECK on every slug it accepts', () => {
    const databaseCheck = /^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/;
    for (const slug of ['abc', 'a-b', 'a--b', '0'.repeat(40), 'a'.repeat(39) + '9']) {
      expect(slugProblem(slug)).toBeNull();
      expect(databaseCheck.test(slug)).toBe(true);
    }
  });
});
