import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { EVENT_STATUSES, EVENT_TYPES, EventStatus, EventType } from '../event-schedule';
import { NotNullIfPresent, NullableIfPresent } from '../../../common/errors/validation';

const MAX_CAPACITY = 1_000_000;

/** `Workshop` (as the community seed writes it) and `workshop` are the same type. */
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true };

export class CreateEventDto {
  @ApiProperty({ example: 'Intro to community gardening', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'Bring gloves; tools provided.', maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiProperty({ description: 'The start (ISO 8601).', example: '2030-05-01T18:00:00Z' })
  @IsISO8601({ strict: true })
  event_date!: string;

  @ApiPropertyOptional({
    description: 'The end (ISO 8601, after event_date). Without it the event is taken to last 3 hours.',
    example: '2030-05-01T20:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  ends_at?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'One of the tenant’s locations, where the event takes place.' })
  @IsOptional()
  @IsUUID('all')
  location_id?: string;

  @ApiPropertyOptional({ description: 'Where, in words (for places that are not locations).', maxLength: 300 })
  @IsOptional()
  @IsString()
  @Length(1, 300)
  location?: string;

  @ApiProperty({ enum: EVENT_TYPES, description: 'Case-insensitive.', example: 'workshop' })
  @Transform(lowerCase)
  @IsIn(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` })
  event_type!: EventType;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_CAPACITY, description: 'Seats; omitted: no limit.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CAPACITY)
  max_attendees?: number;

  @ApiPropertyOptional({ example: 'https://example.com/register', maxLength: 2000 })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  @MaxLength(2000)
  registration_url?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'QR check-ins must send lat/lon inside the geofence of location_id.',
  })
  @IsOptional()
  @IsBoolean()
  geofence_required?: boolean;
}

export class UpdateEventDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @NotNullIfPresent()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 10000 })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiPropertyOptional({ description: 'The start (ISO 8601).' })
  @NotNullIfPresent()
  @IsISO8601({ strict: true })
  event_date?: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'The end; null removes it.' })
  @NullableIfPresent()
  @IsISO8601({ strict: true })
  ends_at?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' })
  @NullableIfPresent()
  @IsUUID('all')
  location_id?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 300 })
  @NullableIfPresent()
  @IsString()
  @Length(1, 300)
  location?: string | null;

  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @NotNullIfPresent()
  @Transform(lowerCase)
  @IsIn(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` })
  event_type?: EventType;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    maximum: MAX_CAPACITY,
    description: 'null removes the limit; never below the seats already taken.',
  })
  @NullableIfPresent()
  @IsInt()
  @Min(1)
  @Max(MAX_CAPACITY)
  max_attendees?: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 2000 })
  @NullableIfPresent()
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  @MaxLength(2000)
  registration_url?: string | null;

  @ApiPropertyOptional()
  @NotNullIfPresent()
  @IsBoolean()
  geofence_required?: boolean;

  @ApiPropertyOptional({ enum: EVENT_STATUSES, description: 'scheduled re-opens a cancelled event.' })
  @NotNullIfPresent()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;
}

export const EVENT_WHEN = ['upcoming', 'past'] as const;
export type EventWhen = (typeof EVENT_WHEN)[number];

export class AdminEventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: EVENT_WHEN,
    description: 'upcoming: not ended yet, soonest first; past: ended, latest first; omitted: all, latest first.',
  })
  @IsOptional()
  @IsIn(EVENT_WHEN)
  when?: EventWhen;

  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @Transform(lowerCase)
  @IsIn(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` })
  type?: EventType;

  @ApiPropertyOptional({ enum: EVENT_STATUSES })
  @IsOptional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus;
}

export class EventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: EVENT_WHEN,
    default: 'upcoming',
    description: 'upcoming: not ended yet, soonest first; past: ended, latest first.',
  })
  @IsOptional()
  @IsIn(EVENT_WHEN)
  when: EventWhen = 'upcoming';

  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @Transform(lowerCase)
  @IsIn(EVENT_TYPES, { message: `must be one of ${EVENT_TYPES.join(', ')}` })
  type?: EventType;
}

export class EventDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ enum: EVENT_TYPES })
  event_type!: EventType;

  @ApiProperty({ format: 'date-time', description: 'The start.' })
  event_date!: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  ends_at!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  location_id!: string | null;

  @ApiProperty({ nullable: true, type: String })
  location!: string | null;

  @ApiProperty({ nullable: true, type: Number })
  max_attendees!: number | null;

  @ApiProperty({ nullable: true, type: String })
  registration_url!: string | null;

  @ApiProperty()
  geofence_required!: boolean;

  @ApiProperty({ enum: EVENT_STATUSES })
  status!: EventStatus;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  cancelled_at!: string | null;

  @ApiProperty()
  registrations_count!: number;

  @ApiProperty()
  attendees_count!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Seats still free (registrations and walk-in attendances take one each); null: no limit.',
  })
  seats_left!: number | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class EventPageDto {
  @ApiProperty({ type: [EventDto] })
  data!: EventDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}

/** An event as a customer sees it: with whether they registered and attended. */
export class CustomerEventDto extends EventDto {
  @ApiProperty()
  registered!: boolean;

  @ApiProperty()
  attended!: boolean;
}

export class CustomerEventPageDto {
  @ApiProperty({ type: [CustomerEventDto] })
  data!: CustomerEventDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}

export class RegistrationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  event_id!: string;

  @ApiProperty({ format: 'uuid' })
  customer_id!: string;

  @ApiProperty({ format: 'date-time' })
  registered_at!: string;

  @ApiProperty({ nullable: true, type: Number })
  seats_left!: number | null;
}

export const CODE_FORMATS = ['json', 'png', 'svg'] as const;
export type CodeFormat = (typeof CODE_FORMATS)[number];

export class EventCodeQueryDto {
  @ApiPropertyOptional({ enum: CODE_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(CODE_FORMATS)
  format: CodeFormat = 'json';
}

export class EventCodeDto {
  @ApiProperty({ format: 'uuid' })
  event_id!: string;

  @ApiProperty({ description: 'What the QR code holds; the customer app sends it to POST /api/events/{id}/attend.' })
  code!: string;

  @ApiProperty({ format: 'date-time', description: 'From then on the code is refused (event_code_expired).' })
  expires_at!: string;

  @ApiProperty({ format: 'date-time', description: 'When a display should fetch the next code.' })
  rotates_at!: string;

  @ApiProperty({ description: 'Seconds between codes.' })
  rotation_seconds!: number;
}
