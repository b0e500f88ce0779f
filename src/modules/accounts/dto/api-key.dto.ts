import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { API_KEY_SCOPE_NAMES, describeScopes, unknownScopes } from '../../../common/auth/scopes';

export const API_KEY_STATUSES = ['active', 'revoked', 'expired'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

export class CreateApiKeyDto {
  @ApiProperty({ example: 'POS integration', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    enum: API_KEY_SCOPE_NAMES,
    isArray: true,
    example: ['activities:write', 'customers:read'],
    description: `What the key may do; at least one of:\n${describeScopes()}`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPE_NAMES.length * 2)
  @IsIn(API_KEY_SCOPE_NAMES, {
    each: true,
    message: ({ value }) => `has unknown scopes: ${unknownScopes(value).join(', ')}`,
  })
  scopes!: string[];

  @ApiPropertyOptional({
    description: 'When the key stops working (ISO 8601, in the future). Omitted: never expires.',
    example: '2027-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({
    description: 'The visible part of the key (`bk_<tenant>_<prefix>`), to recognise it; never the secret.',
    example: 'bk_q83vEjRWeJASNFZ4kBI0Vg_k7m2x9pq',
  })
  prefix!: string;

  @ApiProperty({ enum: API_KEY_SCOPE_NAMES, isArray: true })
  scopes!: string[];

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The user who created the key.' })
  created_by!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Last request made with the key, to the minute.',
  })
  last_used_at!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  expires_at!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  revoked_at!: string | null;

  @ApiProperty({ enum: API_KEY_STATUSES })
  status!: ApiKeyStatus;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description:
      'The full key, for `Authorization: Bearer <key>` or `X-API-Key: <key>`. Shown only in this response: store it now.',
  })
  secret!: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyDto] })
  data!: ApiKeyDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}
