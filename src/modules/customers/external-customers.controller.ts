import { Body, Controller, Get, Param, Put, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKey, Caller, CurrentActor, CurrentCaller } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { CustomersService } from './customers.service';
import { CustomerDto, UpsertCustomerDto } from './dto/customer.dto';
import { ExternalIdParamDto } from './dto/external-id.dto';

/** Tenants' servers keep their customers in sync by their own ids. */
@ApiTags('customers (API keys)')
@Controller('api/customers')
export class ExternalCustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Put('external/:external_id')
  @ApiKey('customers:write')
  @ApiOperation({
    summary: 'Create or update the customer with this external id: given fields are set, others kept.',
  })
  @ApiCreatedResponse({ type: CustomerDto, description: 'Created.' })
  @ApiOkResponse({ type: CustomerDto, description: 'Updated.' })
  upsert(
    @CurrentCaller() caller: Caller,
    @Param() params: ExternalIdParamDto,
    @Body() body: UpsertCustomerDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerDto> {
    return this.upsertAndAnswer(caller, params.external_id, body, reply);
  }

  /** The path API.md names; the same operation as PUT /api/customers/external/{external_id}. */
  @Put(':external_id')
  @ApiKey('customers:write')
  @ApiOperation({ summary: 'Same as PUT /api/customers/external/{external_id}.' })
  @ApiCreatedResponse({ type: CustomerDto, description: 'Created.' })
  @ApiOkResponse({ type: CustomerDto, description: 'Updated.' })
  upsertAtContractPath(
    @CurrentCaller() caller: Caller,
    @Param() params: ExternalIdParamDto,
    @Body() body: UpsertCustomerDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerDto> {
    return this.upsertAndAnswer(caller, params.external_id, body, reply);
  }

  @Get('external/:external_id')
  @ApiKey('customers:read')
  @ApiOperation({ summary: 'The customer with this external id, with balance and tier.' })
  @ApiOkResponse({ type: CustomerDto })
  @ApiNotFoundResponse({ description: 'No customer has this external id.' })
  get(@CurrentActor() actor: Actor, @Param() params: ExternalIdParamDto): Promise<CustomerDto> {
    return this.customers.getByExternalId(tenantIdOf(actor), params.external_id);
  }

  private async upsertAndAnswer(
    caller: Caller,
    externalId: string,
    body: UpsertCustomerDto,
    reply: FastifyReply,
  ): Promise<CustomerDto> {
    const { created, customer } = await this.customers.upsertByExternalId(caller, externalId, body);
    void reply.status(created ? 201 : 200);
    return customer;
  }
}
