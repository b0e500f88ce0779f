import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination';
import { INELIGIBILITY_REASONS, IneligibilityReason } from '../eligibility';
import { RewardDto, REWARD_LIMITS } from './reward.dto';

const WHERE_I_AM = 'Where the customer is: rewards restricted to other locations answer `location_restricted`.';

export class CatalogEntryQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: WHERE_I_AM })
  @IsOptional()
  @IsUUID('all')
  location_id?: string;
}

export class CatalogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: REWARD_LIMITS.categoryMaxLength, description: 'Only rewards of this category.' })
  @IsOptional()
  @IsString()
  @MaxLength(REWARD_LIMITS.categoryMaxLength)
  category?: string;

  @ApiPropertyOptional({ format: 'uuid', description: WHERE_I_AM })
  @IsOptional()
  @IsUUID('all')
  location_id?: string;
}

const REASONS =
  '`inactive`, `not_yet_available`, `expired`, `tier_required`, `location_restricted`, `limit_reached`, ' +
  '`out_of_stock`, `insufficient_points`: the first that applies, the most lasting first.';

/** A reward as the customer app shows it: the terms, and whether the caller may redeem it now. */
export class CatalogRewardDto extends OmitType(RewardDto, ['program_id', 'active', 'created_at', 'updated_at']) {
  @ApiProperty({ description: 'Whether the caller may redeem it now.' })
  eligible!: boolean;

  @ApiProperty({ enum: INELIGIBILITY_REASONS, nullable: true, description: `Why not; null when eligible. ${REASONS}` })
  reason!: IneligibilityReason | null;
}

export class CatalogPageDto {
  @ApiProperty({
    type: [CatalogRewardDto],
    description: 'Active rewards that have not ended, cheapest first (upcoming ones included, not yet eligible).',
  })
  data!: CatalogRewardDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}
