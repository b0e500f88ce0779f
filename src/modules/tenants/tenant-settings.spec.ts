import {
  applySettingsPatch,
  changedSections,
  DEFAULT_SETTINGS,
  parseSettingsPatch,
  resolveSettings,
} from './tenant-settings';

const fieldsOf = (input: unknown, prefix?: string) => parseSettingsPatch(input, prefix).errors.map((e) => e.field);

describe('tenant settings', () => {
  describe('parseSettingsPatch', () => {
    it('accepts any subset of sections and fields, normalising where there is one spelling', () => {
      const { patch, errors } = parseSettingsPatch({
        branding: { primary_color: '#FFAA00', logo_url: 'https://cdn.example.com/logo.png', display_name: ' Acme ' },
        loyalty: { time_zone: 'europe/london' },
        security: { refresh_token_ttl_days: 365, mfa_required_for_admins: true },
        notifications: { reply_to: 'help@acme.example', sender_name: null, email_enabled: false },
      });
      expect(errors).toEqual([]);
      expect(patch).toEqual({
        branding: { primary_color: '#ffaa00', logo_url: 'https://cdn.example.com/logo.png', display_name: 'Acme' },
        loyalty: { time_zone: 'Europe/London' },
        security: { refresh_token_ttl_days: 365, mfa_required_for_admins: true },
        notifications: { reply_to: 'help@acme.example', sender_name: null, email_enabled: false },
      });
      expect(parseSettingsPatch({})).toEqual({ patch: {}, errors: [] });
      expect(parseSettingsPatch({ branding: undefined, loyalty: { currency: 'EUR' } })).toEqual({
        patch: { loyalty: { currency: 'EUR' } },
        errors: [],
      });
    });

    it.each([
      ['loyalty', 'time_zone', 'Mars/Olympus_Mons'],
      ['loyalty', 'time_zone', '+01:00'],
      ['loyalty', 'time_zone', ''],
      ['loyalty', 'time_zone', null],
      ['loyalty', 'currency', 'gbp'],
      ['loyalty', 'currency', 'ABC'],
      ['loyalty', 'currency', 'GBPX'],
      ['branding', 'primary_color', 'red'],
      ['branding', 'primary_color', '#fff'],
      ['branding', 'secondary_color', '#GGGGGG'],
      ['branding', 'logo_url', 'http://cdn.example.com/logo.png'],
      ['branding', 'logo_url', 'javascript:alert(1)'],
      ['branding', 'logo_url', 'https://user:pw@cdn.example.com/logo.png'],
      ['branding', 'display_name', '   '],
      ['branding', 'display_name', 'x'.repeat(101)],
      ['notifications', 'reply_to', 'not-an-email'],
      ['notifications', 'email_enabled', 'true'],
      ['notifications', 'email_enabled', 1],
      ['security', 'mfa_required_for_admins', null],
      ['security', 'refresh_token_ttl_days', 0],
      ['security', 'refresh_token_ttl_days', 366],
      ['security', 'refresh_token_ttl_days', 1.5],
      ['security', 'refresh_token_ttl_days', '30'],
    ])('refuses %s.%s = %p with its field path', (section, field, value) => {
      const { errors } = parseSettingsPatch({ [section]: { [field]: value } });
      expect(errors).toEqual([{ field: `${section}.${field}`, message: expect.any(String) }]);
    });

    it('names unknown sections and fields, and sections that are not objects', () => {
      expect(fieldsOf({ billing: {} })).toEqual(['billing']);
      expect(fieldsOf({ security: { password_min_length: 8 } })).toEqual(['security.password_min_length']);
      expect(fieldsOf({ loyalty: 'UTC' })).toEqual(['loyalty']);
      expect(fieldsOf({ loyalty: ['UTC'] })).toEqual(['loyalty']);
      expect(fieldsOf({ security: { toString: 1 } })).toEqual(['security.toString']);
      expect(fieldsOf('nope')).toEqual(['settings']);
    });

    it('reports every problem at once, under a prefix when nested', () => {
      expect(
        fieldsOf(
          { loyalty: { time_zone: 'Nowhere', currency: 'usd' }, security: { refresh_token_ttl_days: 0 } },
          'settings',
        ),
      ).toEqual([
        'settings.loyalty.time_zone',
        'settings.loyalty.currency',
        'settings.security.refresh_token_ttl_days',
      ]);
    });

    it('accepts the bounds and clearing with null', () => {
      for (const days of [1, 365]) {
        expect(parseSettingsPatch({ security: { refresh_token_ttl_days: days } }).errors).toEqual([]);
      }
      expect(parseSettingsPatch({ branding: { logo_url: null, primary_color: null } }).errors).toEqual([]);
    });
  });

  describe('applying a patch', () => {
    it('merges each section field by field and keeps what was stored before', () => {
      const stored = { loyalty: { currency: 'GBP' }, security: { refresh_token_ttl_days: 7 } };
      const next = applySettingsPatch(stored, { loyalty: { time_zone: 'Europe/Paris' } });
      expect(next).toEqual({
        loyalty: { currency: 'GBP', time_zone: 'Europe/Paris' },
        security: { refresh_token_ttl_days: 7 },
      });
      expect(stored.loyalty).toEqual({ currency: 'GBP' });
      expect(resolveSettings(next).loyalty).toEqual({ currency: 'GBP', time_zone: 'Europe/Paris' });
      expect(resolveSettings(next).notifications).toEqual(DEFAULT_SETTINGS.notifications);
    });

    it('lists only the sections whose values changed', () => {
      const before = resolveSettings({});
      const same = resolveSettings(applySettingsPatch({}, { loyalty: { currency: 'USD' } }));
      expect(changedSections(before, same)).toBeNull();
      const after = resolveSettings(applySettingsPatch({}, { loyalty: { currency: 'EUR' }, security: {} }));
      expect(changedSections(before, after)).toEqual({
        before: { loyalty: { time_zone: 'UTC', currency: 'USD' } },
        after: { loyalty: { time_zone: 'UTC', currency: 'EUR' } },
      });
    });
  });
});
