import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsObject, IsOptional } from 'class-validator';

export class BrandingSettingsDto {
  @ApiProperty({ type: String, nullable: true, maxLength: 100, example: 'Acme Coffee' })
  display_name!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uri', description: 'An https URL.' })
  logo_url!: string | null;

  @ApiProperty({ type: String, nullable: true, pattern: '^#[0-9A-Fa-f]{6}$', example: '#1a73e8' })
  primary_color!: string | null;

  @ApiProperty({ type: String, nullable: true, pattern: '^#[0-9A-Fa-f]{6}$', example: '#fbbc04' })
  secondary_color!: string | null;
}

export class LoyaltySettingsDto {
  @ApiProperty({ description: 'IANA time zone; rule time windows and days of week are read in it.', example: 'UTC' })
  time_zone!: string;

  @ApiProperty({ description: 'ISO 4217 currency of purchase amounts.', pattern: '^[A-Z]{3}$', example: 'USD' })
  currency!: string;
}

export class SecuritySettingsDto {
  @ApiProperty({ description: 'Admins and owners must enrol TOTP before they can sign in.' })
  mfa_required_for_admins!: boolean;

  @ApiProperty({ minimum: 1, maximum: 365, example: 30 })
  refresh_token_ttl_days!: number;
}

export class NotificationSettingsDto {
  @ApiProperty()
  email_enabled!: boolean;

  @ApiProperty({ type: String, nullable: true, maxLength: 100 })
  sender_name!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'email' })
  reply_to!: string | null;
}

/** A tenant's settings with the defaults filled in. */
export class TenantSettingsDto {
  @ApiProperty({ type: BrandingSettingsDto })
  branding!: BrandingSettingsDto;

  @ApiProperty({ type: LoyaltySettingsDto })
  loyalty!: LoyaltySettingsDto;

  @ApiProperty({ type: SecuritySettingsDto })
  security!: SecuritySettingsDto;

  @ApiProperty({ type: NotificationSettingsDto })
  notifications!: NotificationSettingsDto;
}

class BrandingSettingsPatchDto extends PartialType(BrandingSettingsDto) {}
class LoyaltySettingsPatchDto extends PartialType(LoyaltySettingsDto) {}
class SecuritySettingsPatchDto extends PartialType(SecuritySettingsDto) {}
class NotificationSettingsPatchDto extends PartialType(NotificationSettingsDto) {}

/**
 * Any subset of the sections, each with any subset of its fields. The sections' fields are
 * checked by parseSettingsPatch (tenant-settings.ts), which names each bad one by its path.
 */
export class SettingsPatchDto {
  @ApiPropertyOptional({ type: BrandingSettingsPatchDto })
  @IsOptional()
  @IsObject()
  branding?: Record<string, unknown>;

  @ApiPropertyOptional({ type: LoyaltySettingsPatchDto })
  @IsOptional()
  @IsObject()
  loyalty?: Record<string, unknown>;

  @ApiPropertyOptional({ type: SecuritySettingsPatchDto })
  @IsOptional()
  @IsObject()
  security?: Record<string, unknown>;

  @ApiPropertyOptional({ type: NotificationSettingsPatchDto })
  @IsOptional()
  @IsObject()
  notifications?: Record<string, unknown>;
}
