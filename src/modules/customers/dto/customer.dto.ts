import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  NotEquals,
} from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { EXTERNAL_ID, PHONE, SEGMENT } from '../customer-fields';
import { NotNullIfPresent } from '../../../common/errors/validation';

export const CUSTOMER_STATUSES = ['active', 'erased'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_ADJUSTMENT = 1_000_000;

export class CustomerListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Part of the e-mail, first or last name, full name or external id; any case.' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "The customer's tier in the default program." })
  @IsOptional()
  @IsUUID('all')
  tier_id?: string;

  @ApiPropertyOptional({ description: 'Customers carrying this segment label.', example: 'vip' })
  @IsOptional()
  @Matches(SEGMENT, { message: 'must be a segment label (letters, digits, _ : . -)' })
  segment?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(CUSTOMER_STATUSES)
  status?: CustomerStatus;
}

/** The profile fields staff and tenant servers may set. */
class CustomerFieldsDto {
  @ApiPropertyOptional({ nullable: true, type: String, example: 'ann@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ example: 'Ann' })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(100)
  first_name?: string;

  @ApiPropertyOptional({ example: 'Lee' })
  @NotNullIfPresent()
  @IsString()
  @MaxLength(100)
  last_name?: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: '+44 20 7946 0958' })
  @IsOptional()
  @Matches(PHONE, { message: 'must be a telephone number' })
  phone?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date', example: '1990-04-21' })
  @IsOptional()
  @Matches(DATE_ONLY, { message: 'must be a date as YYYY-MM-DD' })
  birthday?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['vip'], description: 'At most 50 distinct labels.' })
  @NotNullIfPresent()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(SEGMENT, { each: true, message: 'each must be a segment label (letters, digits, _ : . -)' })
  segments?: string[];

  @ApiPropertyOptional()
  @NotNullIfPresent()
  @IsBoolean()
  marketing_opt_in?: boolean;
}

export class CreateCustomerDto extends CustomerFieldsDto {
  @ApiPropertyOptional({
    description: "The tenant's own id for the customer; unique in the tenant.",
    example: 'C-1042',
  })
  @IsOptional()
  @Matches(EXTERNAL_ID, { message: 'must be 1–200 URL-safe characters (letters, digits, . _ ~ : @ - and the like)' })
  external_id?: string;
}

export class UpdateCustomerDto extends CustomerFieldsDto {
  @ApiPropertyOptional({ nullable: true, type: String, description: 'null removes it.', example: 'C-1042' })
  @IsOptional()
  @Matches(EXTERNAL_ID, { message: 'must be 1–200 URL-safe characters (letters, digits, . _ ~ : @ - and the like)' })
  external_id?: string | null;

  @ApiPropertyOptional({ description: 'Hide the customer from leaderboards.' })
  @NotNullIfPresent()
  @IsBoolean()
  leaderboard_opt_out?: boolean;
}

/** PUT by external id: the fields given are set, the others kept (null clears a nullable one). */
export class UpsertCustomerDto extends CustomerFieldsDto {
  @ApiPropertyOptional({ type: Object, description: 'A JSON object of at most 8 KB.' })
  @NotNullIfPresent()
  @IsObject()
  preferences?: Record<string, unknown>;
}

export class TierRefDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Gold' })
  name!: string;
}

export class CustomerDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ nullable: true, type: String })
  external_id!: string | null;

  @ApiProperty({ nullable: true, type: String })
  email!: string | null;

  @ApiProperty()
  first_name!: string;

  @ApiProperty()
  last_name!: string;

  @ApiProperty({ nullable: true, type: String })
  phone!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'date' })
  birthday!: string | null;

  @ApiProperty({ type: [String] })
  segments!: string[];

  @ApiProperty({ type: Object })
  preferences!: Record<string, unknown>;

  @ApiProperty()
  marketing_opt_in!: boolean;

  @ApiProperty()
  leaderboard_opt_out!: boolean;

  @ApiProperty({ enum: CUSTOMER_STATUSES, description: 'erased: personal data removed, ledger kept.' })
  status!: CustomerStatus;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  erased_at!: string | null;

  @ApiProperty({ description: 'Spendable points in the default program.' })
  balance!: number;

  @ApiProperty({ description: 'Points held for the default program’s pending period.' })
  pending_balance!: number;

  @ApiProperty()
  lifetime_points!: number;

  @ApiProperty({ type: TierRefDto, nullable: true, description: 'The tier recorded on the default-program account.' })
  tier!: TierRefDto | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class CustomerPageDto {
  @ApiProperty({ type: [CustomerDto] })
  data!: CustomerDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}

export class AdjustPointsDto {
  @ApiProperty({
    description: `Signed whole points, not 0, at most ${MAX_ADJUSTMENT} either way. A deduction never takes the balance below 0.`,
    example: 250,
  })
  @IsInt()
  @NotEquals(0, { message: 'must not be 0' })
  @Min(-MAX_ADJUSTMENT)
  @Max(MAX_ADJUSTMENT)
  points!: number;

  @ApiProperty({ minLength: 1, maxLength: 500, example: 'Goodwill: late delivery' })
  @IsString()
  @Length(1, 500)
  @Matches(/\S/, { message: 'must not be blank' })
  reason!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Defaults to the tenant’s default program.' })
  @IsOptional()
  @IsUUID('all')
  program_id?: string;
}

export class AdjustPointsResultDto {
  @ApiProperty({ format: 'uuid' })
  transaction_id!: string;

  @ApiProperty({ format: 'uuid' })
  program_id!: string;

  @ApiProperty({ description: 'The signed adjustment.' })
  points!: number;

  @ApiProperty({ description: 'Spendable balance after the adjustment.' })
  balance!: number;
}

export class LedgerQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this program; all of the customer’s programs by default.' })
  @IsOptional()
  @IsUUID('all')
  program_id?: string;
}

/** One row of a customer's points ledger. */
export class LedgerEntryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  program_id!: string;

  @ApiProperty({ enum: ['earn', 'redeem', 'adjust', 'expire', 'reverse'] })
  type!: string;

  @ApiProperty({ description: 'Signed: positive adds, negative takes away.' })
  points!: number;

  @ApiProperty({ description: 'Spendable plus pending points after this row.' })
  balance_after!: number;

  @ApiProperty({ description: 'Held for the program’s pending period when written.' })
  pending!: boolean;

  @ApiProperty({ nullable: true, type: String })
  reason!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  activity_id!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class AdminLedgerEntryDto extends LedgerEntryDto {
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  rule_id!: string | null;

  @ApiProperty({ nullable: true, type: String })
  reference!: string | null;

  @ApiProperty({ description: 'Points a reversal could not take back because they were already spent.' })
  shortfall!: number;

  @ApiProperty({ nullable: true, type: String, description: 'Who wrote the row, e.g. user:<id> for an adjustment.' })
  actor!: string | null;
}

export class LedgerPageDto {
  @ApiProperty({ type: [LedgerEntryDto] })
  data!: LedgerEntryDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}

export class AdminLedgerPageDto {
  @ApiProperty({ type: [AdminLedgerEntryDto] })
  data!: AdminLedgerEntryDto[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}
