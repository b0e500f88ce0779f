import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsString, IsUrl, IsUUID, Length, MaxLength } from 'class-validator';
import { trimmed, URL_OPTIONS } from './achievement.dto';
import { NotNullIfPresent, NullableIfPresent } from '../../../common/errors/validation';

export const CONTENT_LIMITS = {
  titleMaxLength: 200,
  bodyMaxLength: 100_000,
  urlMaxLength: 2000,
  levelNameMaxLength: 100,
  descriptionMaxLength: 2000,
} as const;

export class CreateAccessLevelDto {
  @ApiProperty({ example: 'Insider', minLength: 1, maxLength: CONTENT_LIMITS.levelNameMaxLength })
  @Transform(trimmed)
  @IsString()
  @Length(1, CONTENT_LIMITS.levelNameMaxLength)
  name!: string;

  @ApiPropertyOptional({ maxLength: CONTENT_LIMITS.descriptionMaxLength })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(CONTENT_LIMITS.descriptionMaxLength)
  description?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Held by customers at this tier or a higher one of its program; null = every customer.',
  })
  @NullableIfPresent()
  @IsUUID('all')
  tier_id?: string | null;
}

export class AccessLevelDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Insider' })
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  tier_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Gold', description: 'The tier’s name; null for everyone.' })
  tier_name!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class AccessLevelPageDto {
  @ApiProperty({ type: [AccessLevelDto] })
  data!: AccessLevelDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class CreateContentDto {
  @ApiProperty({ example: 'Behind the scenes', minLength: 1, maxLength: CONTENT_LIMITS.titleMaxLength })
  @Transform(trimmed)
  @IsString()
  @Length(1, CONTENT_LIMITS.titleMaxLength)
  title!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: CONTENT_LIMITS.bodyMaxLength,
    description: 'The content itself; give a body, a url or both.',
  })
  @NullableIfPresent()
  @IsString()
  @Length(1, CONTENT_LIMITS.bodyMaxLength)
  body?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', maxLength: CONTENT_LIMITS.urlMaxLength })
  @NullableIfPresent()
  @IsString()
  @MaxLength(CONTENT_LIMITS.urlMaxLength)
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  url?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The access level needed to open it; null = every customer.',
  })
  @NullableIfPresent()
  @IsUUID('all')
  required_level_id?: string | null;

  @ApiPropertyOptional({ default: true, description: 'Unpublished content is visible to admins only.' })
  @NotNullIfPresent()
  @IsBoolean()
  published?: boolean;
}

export class UpdateContentDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: CONTENT_LIMITS.titleMaxLength })
  @Transform(trimmed)
  @NotNullIfPresent()
  @IsString()
  @Length(1, CONTENT_LIMITS.titleMaxLength)
  title?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: CONTENT_LIMITS.bodyMaxLength })
  @NullableIfPresent()
  @IsString()
  @Length(1, CONTENT_LIMITS.bodyMaxLength)
  body?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', maxLength: CONTENT_LIMITS.urlMaxLength })
  @NullableIfPresent()
  @IsString()
  @MaxLength(CONTENT_LIMITS.urlMaxLength)
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  url?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @NullableIfPresent()
  @IsUUID('all')
  required_level_id?: string | null;

  @ApiPropertyOptional()
  @NotNullIfPresent()
  @IsBoolean()
  published?: boolean;
}

export class RequiredLevelDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Insider' })
  name!: string;
}

export class ContentDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Behind the scenes' })
  title!: string;

  @ApiProperty({ type: String, nullable: true })
  body!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uri' })
  url!: string | null;

  @ApiProperty({ type: RequiredLevelDto, nullable: true, description: 'null: open to every customer.' })
  required_level!: RequiredLevelDto | null;

  @ApiProperty()
  published!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class ContentPageDto {
  @ApiProperty({ type: [ContentDto] })
  data!: ContentDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}
