import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Caller, CurrentActor, CurrentCaller, Roles } from '../../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../../common/idempotency/idempotency.decorators';
import type { IdempotentRequest } from '../../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../../common/idempotency/idempotent-outcome';
import { Page } from '../../../common/pagination/pagination';
import { CreateProgramDto, ProgramDto, ProgramListQueryDto, ProgramPageDto, UpdateProgramDto } from './dto/program.dto';
import { ProgramsService } from './programs.service';
import { NotFoundIn, UuidParam } from '../../../common/http/openapi.decorators';

const BAD_POLICY = () =>
  ApiBadRequestResponse({
    description: 'Invalid fields, named by path (`expiry_policy.days`, `earn_policy.rounding`).',
  });

@ApiTags('admin')
@Controller('api/admin/programs')
export class ProgramsAdminController {
  constructor(private readonly programs: ProgramsService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'The tenant’s loyalty programs, newest first; `?status=` filters.' })
  @ApiOkResponse({ type: ProgramPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: ProgramListQueryDto): Promise<Page<ProgramDto>> {
    return this.programs.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({
    summary: 'Create a program. With is_default (or as the tenant’s first program) it becomes the default.',
  })
  @ApiCreatedResponse({ type: ProgramDto })
  @BAD_POLICY()
  @ApiUnprocessableEntityResponse({ description: '`idempotency_key_reused`.' })
  create(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CreateProgramDto,
  ): Promise<IdempotentOutcome<ProgramDto>> {
    return this.programs.create(caller, request, body);
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'One program.' })
  @UuidParam()
  @ApiOkResponse({ type: ProgramDto })
  @NotFoundIn('program')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ProgramDto> {
    return this.programs.get(tenantIdOf(actor), id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a program: name, policies, default, archive or reactivate.' })
  @UuidParam()
  @ApiOkResponse({ type: ProgramDto })
  @BAD_POLICY()
  @NotFoundIn('program')
  @ApiUnprocessableEntityResponse({
    description:
      '`default_program`: the default program cannot be archived; `default_program_required`: is_default false on ' +
      'the default (make another program the default instead); `program_archived`: an archived program cannot be ' +
      'the default.',
  })
  update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateProgramDto,
  ): Promise<ProgramDto> {
    return this.programs.update(caller, id, body);
  }
}
