import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentCaller, Roles, SuperAdmin } from '../../common/auth/access.decorators';
import { MfaCodeDto, MfaDisableDto, MfaSetupDto, MfaSetupResponseDto } from './dto/auth.dto';
import { StaffOrEnrolling } from './mfa-enrollment.guard';
import { MfaService } from './mfa.service';

@ApiTags('auth')
@Controller('api/auth/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Post('setup')
  @StaffOrEnrolling()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start TOTP enrolment: a new secret, pending until confirmed with /enable.',
    description:
      'Staff and above, or super admins; or an admin holding an `enrollment_token`. 409 `mfa_already_enabled`.',
  })
  @ApiOkResponse({ type: MfaSetupResponseDto })
  // The body only carries the optional enrolment token, read by MfaEnrollmentGuard.
  setup(@CurrentCaller() caller: Caller, @Body() _body: MfaSetupDto): Promise<MfaSetupResponseDto> {
    return this.mfa.setup(caller);
  }

  @Post('enable')
  @StaffOrEnrolling()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Confirm enrolment with a current code; from then on sign-in needs `totp`.',
    description: '400 `invalid_totp`; 409 `mfa_not_set_up`, `mfa_already_enabled`; 429 `too_many_attempts`.',
  })
  @ApiNoContentResponse()
  enable(@CurrentCaller() caller: Caller, @Body() body: MfaCodeDto): Promise<void> {
    return this.mfa.enable(caller, body.code);
  }

  @Post('disable')
  @Roles('staff')
  @SuperAdmin()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove MFA, confirmed with a current code.',
    description: '400 `invalid_totp`; 409 `mfa_not_enabled`; 429 `too_many_attempts`.',
  })
  @ApiNoContentResponse()
  disable(@CurrentCaller() caller: Caller, @Body() body: MfaDisableDto): Promise<void> {
    return this.mfa.disable(caller, body.code);
  }
}
