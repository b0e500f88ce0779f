import { Body, Controller, Delete, Get, HttpCode, Patch, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Caller, CurrentActor, CurrentCaller, Customer } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { CustomerPrivacyService, exportDisposition } from './customer-privacy.service';
import { CustomersService } from './customers.service';
import { CustomerExportDto, ProfileDto, UpdateProfileDto } from './dto/profile.dto';

@ApiTags('customer app')
@Controller('api')
export class ProfileController {
  constructor(
    private readonly customers: CustomersService,
    private readonly privacy: CustomerPrivacyService,
  ) {}

  @Get('profile')
  @Customer()
  @ApiOperation({ summary: 'My profile and preferences.' })
  @ApiOkResponse({ type: ProfileDto })
  @ApiNotFoundResponse({ description: 'No customer profile exists for this account.' })
  profile(@CurrentActor() actor: Actor): Promise<ProfileDto> {
    return this.customers.profile(actor);
  }

  @Patch('profile')
  @Customer()
  @ApiOperation({ summary: 'Change my profile; the e-mail is my sign-in and is not changed here.' })
  @ApiOkResponse({ type: ProfileDto })
  updateProfile(@CurrentActor() actor: Actor, @Body() body: UpdateProfileDto): Promise<ProfileDto> {
    return this.customers.updateProfile(actor, body);
  }

  @Get('me/export')
  @Customer()
  @ApiOperation({ summary: 'Everything held about me, as a JSON attachment (GDPR access).' })
  @ApiOkResponse({ type: CustomerExportDto })
  async export(
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerExportDto> {
    const data = await this.privacy.exportOwn(actor);
    void reply.header('content-disposition', exportDisposition(data.customer.id as string));
    return data;
  }

  @Delete('me')
  @Customer()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Erase my account: personal data removed, sign-in closed; points history kept anonymously.',
  })
  @ApiNoContentResponse({ description: 'Erased.' })
  erase(@CurrentCaller() caller: Caller): Promise<void> {
    return this.privacy.eraseOwn(caller);
  }
}
