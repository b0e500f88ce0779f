import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { REDEMPTION_STATUSES, RedemptionStatus } from '../redemption.entity';

const STATUS =
  '`pending` until staff fulfil it; `fulfilled`; `cancelled` (points and stock given back); `expired` ' +
  '(not fulfilled within the reward’s voucher_valid_days: stock given back, points not).';
const CODE = 'Voucher code, printed `XXXX-XXXX-XXXX`; case, dashes, O/0 and I/L/1 do not matter when typed.';

export class RedeemDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Where the customer is redeeming; a reward restricted to other locations is then refused.',
  })
  @IsOptional()
  @IsUUID('all')
  location_id?: string;
}

/** POST /api/rewards/{id}/redeem (API.md: redemption_id, code, status, points_used, balance). */
export class RedeemResultDto {
  @ApiProperty({ format: 'uuid' })
  redemption_id!: string;

  @ApiProperty({ format: 'uuid' })
  reward_id!: string;

  @ApiProperty({ example: '7K3M-PQ2R-T9VX', description: CODE })
  code!: string;

  @ApiProperty({ enum: REDEMPTION_STATUSES, example: 'pending' })
  status!: RedemptionStatus;

  @ApiProperty({ example: 500 })
  points_used!: number;

  @ApiProperty({ description: 'Spendable points left in the reward’s program.' })
  balance!: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the voucher expires; null = never.',
  })
  expires_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class RedemptionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  reward_id!: string;

  @ApiProperty({ example: 'Free coffee' })
  reward_name!: string;

  @ApiProperty({ format: 'uuid' })
  customer_id!: string;

  @ApiProperty({ example: '7K3M-PQ2R-T9VX', description: CODE })
  code!: string;

  @ApiProperty({ enum: REDEMPTION_STATUSES, description: STATUS })
  status!: RedemptionStatus;

  @ApiProperty()
  points_used!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expires_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  fulfilled_at!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Where staff handed it over.' })
  fulfilled_location_id!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  cancelled_at!: string | null;

  @ApiProperty({ type: String, nullable: true })
  cancel_reason!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expired_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

/** A customer's own redemption: who handled it stays with the tenant. */
export class MyRedemptionDto extends OmitType(RedemptionDto, ['customer_id', 'fulfilled_location_id']) {}

export class RedemptionPageDto {
  @ApiProperty({ type: [RedemptionDto] })
  data!: RedemptionDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class MyRedemptionPageDto {
  @ApiProperty({ type: [MyRedemptionDto] })
  data!: MyRedemptionDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class MyRedemptionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REDEMPTION_STATUSES })
  @IsOptional()
  @IsIn(REDEMPTION_STATUSES)
  status?: RedemptionStatus;
}

export class RedemptionListQueryDto extends MyRedemptionsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  reward_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  customer_id?: string;
}

export class FulfilDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Where it is handed over; required for a reward restricted to locations (one of them).',
  })
  @IsOptional()
  @IsUUID('all')
  location_id?: string;
}

export class CancelDto {
  @ApiPropertyOptional({ maxLength: 500, example: 'Customer changed their mind' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}
