import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { Page } from '../../common/pagination/pagination';
import { AuditService } from './audit.service';
import { AuditEntryDto, AuditLogPageDto, AuditLogQueryDto } from './dto/audit-log.dto';

@ApiTags('admin')
@Controller('api/admin/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: AuditLogPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: AuditLogQueryDto): Promise<Page<AuditEntryDto>> {
    return this.audit.list(tenantIdOf(actor), query);
  }
}
