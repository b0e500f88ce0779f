import { ApiHideProperty, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  IsDefined,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  registerDecorator,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { PLAN_NAMES } from '../plans';
import { TENANT_STATUSES } from '../tenant.entity';
import { slugProblem } from '../tenant-slug';
import { SettingsPatchDto, TenantSettingsDto } from './settings.dto';

const PLAN_MESSAGE = `must be one of: ${PLAN_NAMES.join(', ')}`;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** A tenant slug, refused with the reason slugProblem gives. */
function IsTenantSlug(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTenantSlug',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => slugProblem(value) === null,
        defaultMessage: (args) => slugProblem(args?.value) ?? 'must be a tenant slug',
      },
    });
}

export class TenantListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TENANT_STATUSES })
  @IsOptional()
  @IsIn(TENANT_STATUSES)
  status?: (typeof TENANT_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Part of the name or slug, any case.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class ProvisionOwnerDto {
  @ApiProperty({ example: 'owner@acme.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({
    minLength: 10,
    description: 'Omit it to let the owner choose one through the password reset flow.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  password?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  last_name?: string;
}

export class ProvisionTenantDto {
  @ApiProperty({ maxLength: 200, example: 'Acme Coffee' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    description: 'Permanent. Lowercase letters, digits and hyphens, 3–40 characters; platform names are reserved.',
    pattern: '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$',
    example: 'acme-coffee',
  })
  @IsTenantSlug()
  slug!: string;

  @ApiProperty({ enum: PLAN_NAMES })
  @IsIn(PLAN_NAMES, { message: PLAN_MESSAGE })
  plan!: string;

  @ApiProperty({ type: ProvisionOwnerDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ProvisionOwnerDto)
  owner!: ProvisionOwnerDto;

  @ApiPropertyOptional({ type: SettingsPatchDto, description: 'Merged over the defaults.' })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;
}

export class UpdateTenantDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ enum: PLAN_NAMES })
  @IsOptional()
  @IsIn(PLAN_NAMES, { message: PLAN_MESSAGE })
  plan?: string;

  /** Accepted only to be refused with a clear reason: a slug is permanent. */
  @ApiHideProperty()
  @Allow()
  slug?: unknown;
}

export class TenantQuotasDto {
  @ApiProperty({ type: Number, nullable: true, description: 'null: unlimited.' })
  customers!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'null: unlimited.' })
  locations!: number | null;

  @ApiProperty()
  api_requests_per_minute!: number;
}

export class TenantUsageDto {
  @ApiProperty({ description: 'Customer accounts (deleted ones excluded).' })
  customers!: number;

  @ApiProperty({ description: 'Staff, admin and owner accounts.' })
  staff!: number;

  @ApiProperty()
  locations!: number;
}

export class TenantSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  slug!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: TENANT_STATUSES })
  status!: string;

  @ApiProperty({ enum: PLAN_NAMES })
  plan!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class TenantPageDto {
  @ApiProperty({ type: [TenantSummaryDto] })
  data!: TenantSummaryDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class TenantDto extends TenantSummaryDto {
  @ApiProperty({ type: TenantQuotasDto })
  quotas!: TenantQuotasDto;

  @ApiProperty({ type: TenantSettingsDto })
  settings!: TenantSettingsDto;
}

export class TenantDetailsDto extends TenantDto {
  @ApiProperty({ type: TenantUsageDto })
  usage!: TenantUsageDto;
}

export class ProvisionedOwnerDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty({ example: 'owner' })
  role!: string;

  @ApiProperty({ description: 'false: the owner sets a password through the password reset flow.' })
  password_set!: boolean;
}

export class DefaultProgramDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;
}

export class ProvisionedTenantDto {
  @ApiProperty({ type: TenantDto })
  tenant!: TenantDto;

  @ApiProperty({ type: ProvisionedOwnerDto })
  owner!: ProvisionedOwnerDto;

  @ApiProperty({ type: DefaultProgramDto })
  default_program!: DefaultProgramDto;
}
