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
