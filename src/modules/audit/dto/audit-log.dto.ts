import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination';

export class AuditLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'user.created' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ description: 'User, super admin or API key id.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  actor_id?: string;

  @ApiPropertyOptional({ example: 'user' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  target_type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  target_id?: string;

  @ApiPropertyOptional({ description: 'Inclusive lower bound (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Exclusive upper bound (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditActorDto {
  @ApiProperty({ enum: ['user', 'super_admin', 'api_key', 'anonymous', 'system'] })
  type!: string;

  @ApiProperty({ nullable: true, type: String })
  id!: string | null;

  @ApiProperty({ nullable: true, type: String })
  role!: string | null;
}

export class AuditTargetDto {
  @ApiProperty()
  type!: string;

  @ApiProperty({ nullable: true, type: String })
  id!: string | null;
}

export class AuditEntryDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  occurred_at!: string;

  @ApiProperty({ type: AuditActorDto })
  actor!: AuditActorDto;

  @ApiProperty()
  action!: string;

  @ApiProperty({ type: AuditTargetDto })
  target!: AuditTargetDto;

  @ApiProperty({ nullable: true, type: Object, description: 'State before; secrets redacted.' })
  before!: Record<string, unknown> | null;

  @ApiProperty({ nullable: true, type: Object, description: 'State after; secrets redacted.' })
  after!: Record<string, unknown> | null;

  @ApiProperty({ nullable: true, type: String })
  ip!: string | null;

  @ApiProperty({ nullable: true, type: String })
  request_id!: string | null;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditEntryDto] })
  data!: AuditEntryDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}
