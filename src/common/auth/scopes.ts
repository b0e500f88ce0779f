/**
 * Every scope an API key can hold, with what it lets a tenant's server do. The single list the
 * key DTOs validate against and the OpenAPI document describes; `@ApiKey(scope)` names one of them.
 */
export const API_KEY_SCOPES = {
  'activities:write': 'Record customer activities (purchases, refunds, sign-ups, custom events) that earn points.',
  'customers:read': 'Read customer profiles, balances and tiers.',
  'customers:write': "Create and update customers by the tenant's own external id.",
  'rewards:read': 'Read the reward catalog and availability.',
  'redemptions:write': 'Redeem rewards on behalf of customers and fulfil or cancel redemptions.',
  'locations:read': 'Read locations and their geofences.',
  'checkins:write': 'Record location check-ins for customers.',
  'events:write': 'Create community events and record attendance.',
  'webhooks:manage': 'Manage webhook endpoints and replay deliveries.',
} as const;

export type ApiKeyScope = keyof typeof API_KEY_SCOPES;

export const API_KEY_SCOPE_NAMES = Object.keys(API_KEY_SCOPES) as ApiKeyScope[];

export function isApiKeyScope(value: unknown): value is ApiKeyScope {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(API_KEY_SCOPES, value);
}

/** The scopes in `requested` that do not exist, in the order given, each once. */
export function unknownScopes(requested: unknown): string[] {
  const values = Array.isArray(requested) ? requested : [requested];
  return [...new Set(values.filter((value) => !isApiKeyScope(value)).map((value) => String(value)))];
}

/** The scope list as Markdown, for OpenAPI descriptions. */
export function describeScopes(): string {
  return API_KEY_SCOPE_NAMES.map((scope) => `- \`${scope}\`: ${API_KEY_SCOPES[scope]}`).join('\n');
}
