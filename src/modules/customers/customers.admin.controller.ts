import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Caller, CurrentActor, CurrentCaller, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../common/idempotency/idempotency.decorators';
import type { IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { Page } from '../../common/pagination/pagination';
import { CustomerPointsService } from './customer-points.service';
import { CustomerPrivacyService, exportDisposition } from './customer-privacy.service';
import { CustomersService } from './customers.service';
import {
  AdjustPointsDto,
  AdjustPointsResultDto,
  AdminLedgerEntryDto,
  AdminLedgerPageDto,
  CreateCustomerDto,
  CustomerDto,
  CustomerListQueryDto,
  CustomerPageDto,
  LedgerQueryDto,
  UpdateCustomerDto,
} from './dto/customer.dto';
import { CustomerExportDto } from './dto/profile.dto';
import { NotFoundIn, UuidParam } from '../../common/http/openapi.decorators';

@ApiTags('admin')
@Controller('api/admin/customers')
export class CustomersAdminController {
  constructor(
    private readonly customers: CustomersService,
    private readonly points: CustomerPointsService,
    private readonly privacy: CustomerPrivacyService,
  ) {}

  @Get()
  @Roles('staff')
  @ApiOperation({ summary: 'Customers, newest first, with their default-program balance and tier.' })
  @ApiOkResponse({ type: CustomerPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: CustomerListQueryDto): Promise<Page<CustomerDto>> {
    return this.customers.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('staff')
  @Idempotent()
  @ApiOperation({ summary: 'Create a customer (counts against the plan’s customer quota).' })
  @ApiCreatedResponse({ type: CustomerDto })
  @ApiConflictResponse({ description: '`external_id_taken`.' })
  @ApiUnprocessableEntityResponse({ description: '`quota_exceeded`; `idempotency_key_reused`.' })
  create(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Body() body: CreateCustomerDto,
  ): Promise<IdempotentOutcome<CustomerDto>> {
    return this.customers.create(caller, request, body);
  }

  @Get(':id')
  @Roles('staff')
  @ApiOperation({ summary: 'One customer.' })
  @UuidParam()
  @ApiOkResponse({ type: CustomerDto })
  @NotFoundIn('customer')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<CustomerDto> {
    return this.customers.get(tenantIdOf(actor), id);
  }

  @Patch(':id')
  @Roles('staff')
  @ApiOperation({ summary: 'Change a customer’s profile; null clears a nullable field.' })
  @UuidParam()
  @ApiOkResponse({ type: CustomerDto })
  @NotFoundIn('customer')
  @ApiConflictResponse({ description: '`external_id_taken`; `customer_erased`.' })
  @ApiUnprocessableEntityResponse({ description: '`email_not_editable`: the customer signs in with it.' })
  update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateCustomerDto,
  ): Promise<CustomerDto> {
    return this.customers.update(caller, id, body);
  }

  @Post(':id/adjust-points')
  @Roles('admin')
  @Idempotent()
  @ApiOperation({ summary: 'Credit or debit points by hand, with a reason; never below zero.' })
  @UuidParam()
  @ApiCreatedResponse({ type: AdjustPointsResultDto })
  @NotFoundIn('customer')
  @ApiConflictResponse({ description: '`customer_erased`.' })
  @ApiUnprocessableEntityResponse({
    description: '`insufficient_points`; `idempotency_key_reused`; `program_archived`; `no_default_program`.',
  })
  adjustPoints(
    @CurrentCaller() caller: Caller,
    @IdempotentRequestOf() request: IdempotentRequest,
    @Param('id') id: string,
    @Body() body: AdjustPointsDto,
  ): Promise<IdempotentOutcome<AdjustPointsResultDto>> {
    return this.points.adjust(caller, request, id, body);
  }

  @Get(':id/transactions')
  @Roles('staff')
  @ApiOperation({ summary: 'The customer’s points ledger, newest first.' })
  @UuidParam()
  @ApiOkResponse({ type: AdminLedgerPageDto })
  @NotFoundIn('customer')
  transactions(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: LedgerQueryDto,
  ): Promise<Page<AdminLedgerEntryDto>> {
    return this.points.transactions(tenantIdOf(actor), id, query);
  }

  @Get(':id/export')
  @Roles('admin')
  @ApiOperation({ summary: 'GDPR export: everything held about the customer, as a JSON attachment (audited).' })
  @UuidParam()
  @ApiOkResponse({ type: CustomerExportDto })
  @NotFoundIn('customer')
  async export(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerExportDto> {
    const data = await this.privacy.exportForAdmin(caller, id);
    void reply.header('content-disposition', exportDisposition(id));
    return data;
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'GDPR erasure: personal data removed, sign-in closed, ledger kept.' })
  @UuidParam()
  @ApiNoContentResponse({ description: 'Erased (or already erased).' })
  @NotFoundIn('customer')
  @ApiForbiddenResponse({ description: 'Admins and owners only.' })
  erase(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.privacy.erase(caller, id);
  }
}
