import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import type { StaffRole } from '../../../common/auth/actor';
import { PageQueryDto } from '../../../common/pagination/pagination';
import type { UserStatus } from '../user.entity';

export const STAFF_ROLES = ['staff', 'admin', 'owner'] as const satisfies readonly StaffRole[];
export const USER_STATUSES = ['active', 'disabled', 'deleted'] as const satisfies readonly UserStatus[];
/** What PATCH may set: deletion goes through DELETE, which also ends the user's sessions. */
export const SETTABLE_STATUSES = ['active', 'disabled'] as const;

export class StaffUserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: STAFF_ROLES })
  @IsOptional()
  @IsIn(STAFF_ROLES)
  role?: StaffRole;

  @ApiPropertyOptional({ description: 'Matches part of the e-mail, first name or last name, in any case.' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional({ enum: USER_STATUSES, description: 'Omitted: active and disabled accounts, not deleted ones.' })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;
}

export class CreateStaffUserDto {
  @ApiProperty({ example: 'sam@example.com', description: 'Unique in the tenant, in any case.' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ enum: STAFF_ROLES })
  @IsIn(STAFF_ROLES)
  role!: StaffRole;

  @ApiProperty({ example: 'Sam' })
  @IsString()
  @Length(1, 100)
  first_name!: string;

  @ApiProperty({ example: 'Jones' })
  @IsString()
  @Length(1, 100)
  last_name!: string;

  @ApiProperty({ minLength: 10, maxLength: 200, description: 'At least 10 characters, not the e-mail address.' })
  @IsString()
  @MaxLength(200)
  password!: string;
}

export class UpdateStaffUserDto {
  @ApiPropertyOptional({ enum: STAFF_ROLES })
  @IsOptional()
  @IsIn(STAFF_ROLES)
  role?: StaffRole;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  first_name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  last_name?: string;

  @ApiPropertyOptional({ enum: SETTABLE_STATUSES, description: 'A disabled account cannot sign in.' })
  @IsOptional()
  @IsIn(SETTABLE_STATUSES)
  status?: (typeof SETTABLE_STATUSES)[number];
}

export class StaffUserDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ enum: STAFF_ROLES })
  role!: StaffRole;

  @ApiProperty()
  first_name!: string;

  @ApiProperty()
  last_name!: string;

  @ApiProperty({ enum: USER_STATUSES })
  status!: UserStatus;

  @ApiProperty({ description: 'Whether the account has TOTP two-factor sign-in enabled.' })
  mfa_enabled!: boolean;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  last_login_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class StaffUserPageDto {
  @ApiProperty({ type: [StaffUserDto] })
  data!: StaffUserDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}
