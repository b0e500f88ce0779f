import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { EXTERNAL_ID } from '../customer-fields';

export class ExternalIdParamDto {
  @ApiProperty({ description: "The tenant's own id for the customer.", example: 'C-1042' })
  @Matches(EXTERNAL_ID, { message: 'must be 1–200 URL-safe characters (letters, digits, . _ ~ : @ - and the like)' })
  external_id!: string;
}
