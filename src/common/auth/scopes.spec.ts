import { API_KEY_SCOPE_NAMES, API_KEY_SCOPES, describeScopes, isApiKeyScope, unknownScopes } from './scopes';

describe('API key scopes', () => {
  it('include the scopes the API contract grants keys, each described on one line', () => {
    for (const scope of ['activities:write', 'customers:read', 'customers:write', 'webhooks:manage']) {
      expect(API_KEY_SCOPE_NAMES).toContain(scope);
    }
    for (const scope of API_KEY_SCOPE_NAMES) {
      expect(scope).toMatch(/^[a-z]+:[a-z]+$/);
      expect(API_KEY_SCOPES[scope]).toMatch(/^[^\n]{10,}$/);
    }
    expect(describeScopes().split('\n')).toHaveLength(API_KEY_SCOPE_NAMES.length);
  });

  it('name the unknown ones in a request, each once', () => {
    expect(isApiKeyScope('customers:read')).toBe(true);
    expect(isApiKeyScope('toString')).toBe(false);
    expect(isApiKeyScope('admin')).toBe(false);
    expect(unknownScopes(['customers:read', 'admin', 'constructor', 'admin'])).toEqual(['admin', 'constructor']);
    expect(unknownScopes(['customers:read'])).toEqual([]);
  });
});
