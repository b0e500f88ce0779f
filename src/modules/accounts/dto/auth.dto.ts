import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

const SLUG = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;

export class LoginDto {
  @ApiProperty({ example: 'ann@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  password!: string;

  @ApiPropertyOptional({ description: 'Tenant slug; omitted for platform super admins.', example: 'demo' })
  @IsOptional()
  @Matches(SLUG, { message: 'must be a tenant slug' })
  tenant?: string;

  @ApiPropertyOptional({ description: 'TOTP code when MFA is enabled.' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'must be 6 digits' })
  totp?: string;
}

export class RegisterDto {
  @ApiProperty({ example: 'demo' })
  @Matches(SLUG, { message: 'must be a tenant slug' })
  tenant!: string;

  @ApiProperty({ example: 'ann@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 10 })
  @IsString()
  @MaxLength(200)
  password!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 100)
  first_name!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 100)
  last_name!: string;
}

export class TokenResponseDto {
  @ApiProperty({ description: 'Bearer token for the API (a JWT).' })
  access_token!: string;

  @ApiProperty({
    description: 'Opaque token for POST /api/auth/refresh. Single use: each refresh returns a new one. Keep it secret.',
    example: 'rt_…',
  })
  refresh_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires.', example: 900 })
  expires_in!: number;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token of the last sign-in or refresh.' })
  @IsString()
  @MaxLength(200)
  refresh_token!: string;
}

export class LogoutDto {
  @ApiProperty({ description: 'The refresh token of the session to end; its whole sign-in is revoked.' })
  @IsString()
  @MaxLength(200)
  refresh_token!: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  current_password!: string;

  @ApiProperty({ minLength: 10, description: 'At least 10 characters, not the e-mail address.' })
  @IsString()
  @MaxLength(200)
  new_password!: string;
}

export class PasswordResetRequestDto {
  @ApiPropertyOptional({ description: 'Tenant slug; omitted for platform super admins.', example: 'demo' })
  @IsOptional()
  @Matches(SLUG, { message: 'must be a tenant slug' })
  tenant?: string;

  @ApiProperty({ example: 'ann@example.com' })
  @IsEmail()
  @MaxLength(254)
  email!: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({ description: 'The token from the reset link.' })
  @IsString()
  @MaxLength(200)
  token!: string;

  @ApiProperty({ minLength: 10, description: 'At least 10 characters, not the e-mail address.' })
  @IsString()
  @MaxLength(200)
  new_password!: string;
}

export class MfaSetupDto {
  @ApiPropertyOptional({
    description:
      'The enrolment token from a 403 mfa_enrollment_required sign-in, for an admin who must enrol before signing in. Omit it when calling with an access token.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  enrollment_token?: string;
}

export class MfaCodeDto extends MfaSetupDto {
  @ApiProperty({ description: 'The current 6-digit code of the authenticator app.', example: '123456' })
  @Matches(/^\d{6}$/, { message: 'must be 6 digits' })
  code!: string;
}

export class MfaDisableDto {
  @ApiProperty({ description: 'The current 6-digit code of the authenticator app.', example: '123456' })
  @Matches(/^\d{6}$/, { message: 'must be 6 digits' })
  code!: string;
}

export class MfaSetupResponseDto {
  @ApiProperty({ description: 'otpauth:// URI for authenticator apps.', example: 'otpauth://totp/Beacon…' })
  otpauth_uri!: string;

  @ApiProperty({ description: 'The URI as a QR code: a PNG data URL.', example: 'data:image/png;base64,…' })
  qr_png!: string;

  @ApiProperty({ description: 'The base32 secret, for typing in by hand. Shown only now.' })
  secret!: string;
}

export class CurrentUserDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty()
  first_name!: string;

  @ApiProperty()
  last_name!: string;

  @ApiProperty({ enum: ['customer', 'staff', 'admin', 'owner', 'super_admin'] })
  role!: string;

  @ApiProperty({ nullable: true, type: Object, example: { id: '…', slug: 'demo', name: 'Demo' } })
  tenant!: { id: string; slug: string; name: string } | null;
}
