import { Controller, Get, Post } from '@nestjs/common';
import { ApiKey, CurrentActor, Roles } from '../../src/common/auth/access.decorators';
import { Actor } from '../../src/common/auth/actor';

/** Test-only routes guarded by API key scopes; each answers the caller it was reached as. */
@Controller('__scope-probe')
export class ScopeProbeController {
  @Get('customers')
  @ApiKey('customers:read')
  readCustomers(@CurrentActor() actor: Actor): Actor {
    return actor;
  }

  @Post('activities')
  @ApiKey('activities:write')
  writeActivities(@CurrentActor() actor: Actor): Actor {
    return actor;
  }

  @Post('activities-or-admin')
  @ApiKey('activities:write')
  @Roles('admin')
  writeActivitiesOrAdmin(@CurrentActor() actor: Actor): Actor {
    return actor;
  }
}
