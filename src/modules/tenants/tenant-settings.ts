/**
 * A tenant's settings, in four sections. Stored as JSON on the tenant; what is stored is merged
 * over these defaults when read, so a section added later needs no data migration.
 */
export interface TenantSettings {
  branding: {
    display_name: string | null;
    logo_url: string | null;
    primary_color: string | null;
    secondary_color: string | null;
  };
  loyalty: {
    /** IANA time zone; rule time windows and days of week are read in it. */
    time_zone: string;
    /** ISO 4217 currency of purchase amounts by default. */
    currency: string;
  };
  security: {
    /** Admins and owners must enrol TOTP before they can sign in. */
    mfa_required_for_admins: boolean;
    refresh_token_ttl_days: number;
  };
  notifications: {
    email_enabled: boolean;
    sender_name: string | null;
    reply_to: string | null;
  };
}

export const SETTINGS_SECTIONS = ['branding', 'loyalty', 'security', 'notifications'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

export const DEFAULT_SETTINGS: TenantSettings = {
  branding: { display_name: null, logo_url: null, primary_color: null, secondary_color: null },
  loyalty: { time_zone: 'UTC', currency: 'USD' },
  security: { mfa_required_for_admins: false, refresh_token_ttl_days: 30 },
  notifications: { email_enabled: true, sender_name: null, reply_to: null },
};

/** Stored settings (possibly partial or from an older release) merged over the defaults. */
export function resolveSettings(stored: unknown): TenantSettings {
  const raw = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
  const section = <K extends SettingsSection>(name: K): TenantSettings[K] => {
    const value = raw[name];
    return { ...DEFAULT_SETTINGS[name], ...(value && typeof value === 'object' ? value : {}) } as TenantSettings[K];
  };
  return {
    branding: section('branding'),
    loyalty: section('loyalty'),
    security: section('security'),
    notifications: section('notifications'),
  };
}

/** A partial update: any subset of the sections, each with any subset of its fields. */
export type SettingsPatch = { [S in SettingsSection]?: Partial<TenantSettings[S]> };

/** A field that failed validation; the same shape as the 400 problem's `errors` entries. */
export interface SettingsFieldError {
  field: string;
  message: string;
}

/** Accepts a value (possibly normalised) or says why not. */
type FieldRule = (value: unknown) => { ok: true; value: unknown } | { ok: false; problem: string };

const accept = (value: unknown) => ({ ok: true as const, value });
const refuse = (problem: string) => ({ ok: false as const, problem });

const nullable =
  (rule: FieldRule): FieldRule =>
  (value) =>
    value === null ? accept(null) : rule(value);

const text =
  (maxLength: number): FieldRule =>
  (value) => {
    if (typeof value !== 'string') return refuse('must be a string or null');
    const trimmed = value.trim();
    if (trimmed.length === 0) return refuse('must not be blank (send null to clear it)');
    if (trimmed.length > maxLength) return refuse(`must be at most ${maxLength} characters`);
    return accept(trimmed);
  };

const boolean: FieldRule = (value) => (typeof value === 'boolean' ? accept(value) : refuse('must be true or false'));

const integerBetween =
  (min: number, max: number): FieldRule =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? accept(value)
      : refuse(`must be a whole number from ${min} to ${max}`);

const hexColor: FieldRule = (value) =>
  typeof value === 'string' && /^#[0-9A-Fa-f]{6}$/.test(value)
    ? accept(value.toLowerCase())
    : refuse('must be a colour as #RRGGBB');

const httpsUrl: FieldRule = (value) => {
  if (typeof value !== 'string' || value.length > 2000) return refuse('must be an https URL');
  try {
    const url = new URL(value);
    // A logo is fetched by customers' browsers and apps: plain http would be blocked as mixed
    // content, and credentials in the URL would be shown to every customer.
    if (url.protocol !== 'https:' || !url.hostname.includes('.') || url.username || url.password) {
      return refuse('must be an https URL');
    }
    return accept(url.toString());
  } catch {
    return refuse('must be an https URL');
  }
};

const email: FieldRule = (value) =>
  typeof value === 'string' && value.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)
    ? accept(value)
    : refuse('must be an e-mail address');

const ianaTimeZone: FieldRule = (value) => {
  // Intl also takes offsets such as "+01:00", which are not zones: daylight saving needs a name.
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) {
    return refuse('must be an IANA time zone such as Europe/London');
  }
  try {
    return accept(new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone);
  } catch {
    return refuse('must be an IANA time zone such as Europe/London');
  }
};

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const currencyCode: FieldRule = (value) =>
  typeof value === 'string' && /^[A-Z]{3}$/.test(value) && KNOWN_CURRENCIES.has(value)
    ? accept(value)
    : refuse('must be an ISO 4217 currency code such as GBP');

const RULES: { [S in SettingsSection]: Record<keyof TenantSettings[S], FieldRule> } = {
  branding: {
    display_name: nullable(text(100)),
    logo_url: nullable(httpsUrl),
    primary_color: nullable(hexColor),
    secondary_color: nullable(hexColor),
  },
  loyalty: { time_zone: ianaTimeZone, currency: currencyCode },
  security: { mfa_required_for_admins: boolean, refresh_token_ttl_days: integerBetween(1, 365) },
  notifications: { email_enabled: boolean, sender_name: nullable(text(100)), reply_to: nullable(email) },
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isSection = (name: string): name is SettingsSection => (SETTINGS_SECTIONS as readonly string[]).includes(name);

/**
 * Checks a partial settings update field by field. Every problem is reported at once with its
 * path (`security.refresh_token_ttl_days`, or `settings.security...` under `prefix`); the patch
 * holds the accepted, normalised values and is meaningful only when there are no errors.
 */
export function parseSettingsPatch(
  input: unknown,
  prefix = '',
): { patch: SettingsPatch; errors: SettingsFieldError[] } {
  const path = (...parts: string[]) => [prefix, ...parts].filter(Boolean).join('.');
  const errors: SettingsFieldError[] = [];
  const patch: Record<string, Record<string, unknown>> = {};
  if (!isPlainObject(input)) {
    return { patch: {}, errors: [{ field: prefix || 'settings', message: 'must be an object' }] };
  }
  for (const [sectionName, sectionValue] of Object.entries(input)) {
    // JSON has no undefined: an undefined section is one the request did not send (a DTO
    // instance carries its declared but absent properties that way).
    if (sectionValue === undefined) continue;
    if (!isSection(sectionName)) {
      errors.push({
        field: path(sectionName),
        message: `is not a known settings section (known: ${SETTINGS_SECTIONS.join(', ')})`,
      });
      continue;
    }
    if (!isPlainObject(sectionValue)) {
      errors.push({ field: path(sectionName), message: 'must be an object' });
      continue;
    }
    const rules = RULES[sectionName] as Record<string, FieldRule>;
    const accepted: Record<string, unknown> = {};
    for (const [fieldName, value] of Object.entries(sectionValue)) {
      const rule = Object.prototype.hasOwnProperty.call(rules, fieldName) ? rules[fieldName] : undefined;
      if (!rule) {
        errors.push({
          field: path(sectionName, fieldName),
          message: `is not a known field (known: ${Object.keys(rules).join(', ')})`,
        });
        continue;
      }
      const verdict = rule(value);
      if (verdict.ok) accepted[fieldName] = verdict.value;
      else errors.push({ field: path(sectionName, fieldName), message: verdict.problem });
    }
    patch[sectionName] = accepted;
  }
  return { patch: patch as SettingsPatch, errors };
}

/**
 * The stored settings with a validated patch applied. Only what tenants set is stored (defaults
 * are merged when read), so a default changed in a later release reaches every tenant that did
 * not choose otherwise.
 */
export function applySettingsPatch(stored: unknown, patch: SettingsPatch): Record<string, unknown> {
  const next: Record<string, unknown> = isPlainObject(stored) ? { ...stored } : {};
  for (const section of SETTINGS_SECTIONS) {
    const changes = patch[section];
    if (!changes) continue;
    const current = next[section];
    next[section] = { ...(isPlainObject(current) ? current : {}), ...changes };
  }
  return next;
}

/** The sections whose resolved values differ, with their before and after (for the audit log). */
export function changedSections(
  before: TenantSettings,
  after: TenantSettings,
): { before: Partial<TenantSettings>; after: Partial<TenantSettings> } | null {
  const changed = SETTINGS_SECTIONS.filter(
    (section) => JSON.stringify(before[section]) !== JSON.stringify(after[section]),
  );
  if (changed.length === 0) return null;
  const pick = (settings: TenantSettings) =>
    Object.fromEntries(changed.map((section) => [section, settings[section]])) as Partial<TenantSettings>;
  return { before: pick(before), after: pick(after) };
}
