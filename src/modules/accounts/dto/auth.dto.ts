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
  @ApiProperty()
  access_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the access token expires.', example: 900 })
  expires_in!: number;
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
