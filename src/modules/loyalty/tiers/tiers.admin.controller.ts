import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Caller, CurrentActor, CurrentCaller, Roles } from '../../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../../common/idempotency/idempotency.decorators';
import type { IdempotentRequest } from '../../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../../common/idempotency/idempotent-outcome';
import { CreateTierDto, ProgramTierDto, ProgramTierListDto, UpdateTierDto } from './dto/tier.dto';
import { TiersService } from './tiers.service';
import { UuidParam } from '../../../common/http/openapi.decorators';

const BAD_TIER = () =>
  ApiBadRequestResponse({
    description:
      'Invalid fields; also a ladder that a higher rank would make cheaper to climb than a lower one on the same ' +
      'basis (the message says which tiers).',
  });
const DUPLICATE = () => ApiConflictResponse({ description: '`tier_name_taken`, `tier_rank_taken` in this program.' });

@ApiTags('admin')
@Controller('api/admin')
export class TiersAdminController {
  constructor(private readonly tiers: TiersService) {}

  @Get('programs/:id/tiers')
  @Roles('admin')
  @ApiOperation({ summary: 'A program’s tiers, lowest rank first.' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The program.' })
  @ApiOkResponse({ type: ProgramTierListDto })
  @ApiNotFoundResponse({ description: 'No program with this id in the tenant.' })
  list(@CurrentActor() actor: Actor, @Param('id') programId: string): Promise<ProgramTierListDto> {
    return this.tiers.list(tenantIdOf(actor), programId);
  }

  @Post('programs/:id/tiers')
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Add a tier to a program (by default one rank above the highest).' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The program.' })
  @ApiCreatedResponse({ type: ProgramTierDto })
  @BAD_TIER()
  @ApiNotFoundResponse({ description: 'No program with this id in the tenant.' })
  @DUPLICATE()
  @ApiUnprocessableEntityResponse({ description: '`tier_limit_reached`; `idempotency_key_reused`.' })
  create(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Param('id') programId: string,
    @Body() body: CreateTierDto,
  ): Promise<IdempotentOutcome<ProgramTierDto>> {
    return this.tiers.create(caller, request, programId, body);
  }

  @Patch('tiers/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a tier: name, rank, threshold, basis and window, benefits.' })
  @UuidParam()
  @ApiOkResponse({ type: ProgramTierDto })
  @BAD_TIER()
  @ApiNotFoundResponse({ description: 'No tier with this id in the tenant.' })
  @DUPLICATE()
  update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateTierDto,
  ): Promise<ProgramTierDto> {
    return this.tiers.update(caller, id, body);
  }

  @Delete('tiers/:id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a tier that no customer holds and no rule names; otherwise 409 `tier_in_use`.',
    description:
      'Customers are not moved off a tier by deleting it: raise its threshold out of reach, let the tier review ' +
      'move them, change the rules that name it, then delete it. The 409 says how many accounts hold it ' +
      '(`accounts`) and which rules name it (`rule_ids`).',
  })
  @UuidParam()
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No tier with this id in the tenant.' })
  @ApiConflictResponse({ description: '`tier_in_use`.' })
  remove(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.tiers.remove(caller, id);
  }
}
