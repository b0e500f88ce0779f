import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
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
import { CreateRuleDto, RuleDto, RuleListQueryDto, RulePageDto, UpdateRuleDto } from './dto/rule.dto';
import { RuleStatsDto, RuleStatsQueryDto } from './dto/rule-stats.dto';
import { SimulateRulesDto, SimulationResultDto } from './dto/simulate.dto';
import { RuleEvaluation } from './rule-evaluator';
import { RuleStatsService } from './rule-stats.service';
import { RulesService } from './rules.service';
import { SimulationService } from './simulation.service';
import { NotFoundIn, UuidParam } from '../../../common/http/openapi.decorators';

const BAD_RULE = () =>
  ApiBadRequestResponse({
    description:
      'Invalid fields, each named by its path (`effect.per`, `conditions.days_of_week[2]`, `conditions.tier_ids[0]` ' +
      'for a tier that is not the program’s, `program_id` for a program that is not the tenant’s).',
  });

@ApiTags('admin')
@Controller('api/admin/rules')
export class RulesAdminController {
  constructor(
    private readonly rules: RulesService,
    private readonly simulation: SimulationService,
    private readonly ruleStats: RuleStatsService,
  ) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Earning rules, newest first; `?program_id=&rule_type=&active=` filter.' })
  @ApiOkResponse({ type: RulePageDto })
  list(@CurrentActor() actor: Actor, @Query() query: RuleListQueryDto): Promise<Page<RuleDto>> {
    return this.rules.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Create an earning rule (in the default program unless program_id says otherwise).' })
  @ApiCreatedResponse({ type: RuleDto })
  @BAD_RULE()
  @ApiUnprocessableEntityResponse({ description: '`no_default_program`; `idempotency_key_reused`.' })
  create(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CreateRuleDto,
  ): Promise<IdempotentOutcome<RuleDto>> {
    return this.rules.create(caller, request, body);
  }

  @Post('simulate')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Which rules an activity would fire and for how many points; writes nothing.',
    description:
      'Evaluates the given unsaved rules, or the program’s active rules, exactly as POST /api/activities would: ' +
      'same program policies, tier multiplier and, for a real customer_id, their tier, segments, activity counts ' +
      'and what each saved rule has already given them. Unsaved rules have no usage yet.',
  })
  @ApiOkResponse({ type: SimulationResultDto })
  @ApiBadRequestResponse({
    description: 'Invalid fields (`rules[i].<field>`, `activity.<field>`, `customer.<field>`).',
  })
  @ApiNotFoundResponse({ description: 'activity.program_id or customer.customer_id is not the tenant’s.' })
  @ApiUnprocessableEntityResponse({ description: '`program_inactive`: the program is archived.' })
  simulate(@CurrentActor() actor: Actor, @Body() body: SimulateRulesDto): Promise<RuleEvaluation> {
    return this.simulation.simulate(actor, body);
  }

  @Get(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'One rule, with the points it has awarded so far.' })
  @UuidParam()
  @ApiOkResponse({ type: RuleDto })
  @NotFoundIn('rule')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<RuleDto> {
    return this.rules.get(tenantIdOf(actor), id);
  }

  @Get(':id/stats')
  @Roles('admin')
  @ApiOperation({
    summary: 'How a rule performs: firings, customers, points awarded and reversed by refunds, per day.',
    description:
      'Counted from the ledger over `from`..`to` (local dates in the tenant’s time zone, both included; the last ' +
      '30 days by default, at most 366). A firing counts on the day its activity occurred, a reversal on the day ' +
      'of its refund.',
  })
  @UuidParam()
  @ApiOkResponse({ type: RuleStatsDto })
  @ApiBadRequestResponse({
    description: '`from` or `to` is not a date YYYY-MM-DD, `from` is after `to`, or the window is over 366 days.',
  })
  @NotFoundIn('rule')
  stats(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: RuleStatsQueryDto,
  ): Promise<RuleStatsDto> {
    return this.ruleStats.stats(tenantIdOf(actor), id, query);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Change a rule. conditions and caps merge key by key (null removes); program_id cannot change.',
  })
  @UuidParam()
  @ApiOkResponse({ type: RuleDto })
  @BAD_RULE()
  @NotFoundIn('rule')
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() body: UpdateRuleDto): Promise<RuleDto> {
    return this.rules.update(caller, id, body);
  }
}
