import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Caller, CurrentActor, CurrentCaller, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { Page } from '../../common/pagination/pagination';
import {
  CreateStaffUserDto,
  StaffUserDto,
  StaffUserPageDto,
  StaffUserQueryDto,
  UpdateStaffUserDto,
} from './dto/staff-user.dto';
import { StaffUsersService } from './staff-users.service';
import { UuidParam } from '../../common/http/openapi.decorators';

@ApiTags('admin')
@Controller('api/admin/users')
export class StaffUsersController {
  constructor(private readonly staffUsers: StaffUsersService) {}

  @Get()
  @Roles('owner')
  @ApiOperation({ summary: 'Staff, admin and owner accounts, newest first (customers are not listed).' })
  @ApiOkResponse({ type: StaffUserPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: StaffUserQueryDto): Promise<Page<StaffUserDto>> {
    return this.staffUsers.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('owner')
  @ApiOperation({ summary: 'Create a staff account.' })
  @ApiCreatedResponse({ type: StaffUserDto })
  @ApiConflictResponse({
    description:
      '`email_taken`: an account of this tenant has the e-mail, in any case (deleted accounts do not count).',
  })
  create(@CurrentCaller() caller: Caller, @Body() body: CreateStaffUserDto): Promise<StaffUserDto> {
    return this.staffUsers.create(caller, body);
  }

  @Patch(':id')
  @Roles('owner')
  @ApiOperation({ summary: "Change a staff account's role, names or status." })
  @UuidParam()
  @ApiOkResponse({ type: StaffUserDto })
  @ApiNotFoundResponse({ description: 'No staff account with this id in the tenant.' })
  @ApiConflictResponse({ description: '`last_owner`: the change would leave the tenant without an active owner.' })
  update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateStaffUserDto,
  ): Promise<StaffUserDto> {
    return this.staffUsers.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('owner')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a staff account (kept as deleted for the audit trail) and end its sessions.' })
  @UuidParam()
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No staff account with this id in the tenant.' })
  @ApiConflictResponse({ description: '`last_owner`: the tenant would be left without an active owner.' })
  remove(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.staffUsers.remove(caller, id);
  }
}
