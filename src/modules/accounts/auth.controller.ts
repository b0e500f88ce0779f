import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Caller, CurrentActor, CurrentCaller, Public, SignedIn } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { AuthService } from './auth.service';
import {
  ChangePasswordDto,
  CurrentUserDto,
  LoginDto,
  LogoutDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  RefreshDto,
  RegisterDto,
  TokenResponseDto,
} from './dto/auth.dto';
import { PasswordResetService } from './password-reset.service';
import { RefreshTokenService } from './refresh-tokens.service';
import { CurrentOrigin, RequestOrigin } from './request-origin.decorator';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly passwordReset: PasswordResetService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in: an access token and a refresh token.',
    description:
      '401 `invalid_credentials`; with MFA enabled, 401 `mfa_required` without `totp` and 401 `invalid_totp` for a wrong ' +
      'one; 403 `tenant_suspended`; 403 `mfa_enrollment_required` with an `enrollment_token` when the tenant requires MFA ' +
      'for admins; 429 `too_many_login_attempts` with Retry-After after repeated failures.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  login(@Body() body: LoginDto, @CurrentOrigin() origin: RequestOrigin): Promise<TokenResponseDto> {
    return this.auth.login(body, origin);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'A new token pair for a refresh token, which is spent by it.',
    description:
      '401 `refresh_token_invalid`, `refresh_token_expired`, `refresh_token_revoked`, `account_inactive`; presenting a ' +
      'spent token revokes its whole sign-in and answers 401 `refresh_token_reused`; 403 `tenant_suspended`.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  refresh(@Body() body: RefreshDto, @CurrentOrigin() origin: RequestOrigin): Promise<TokenResponseDto> {
    return this.refreshTokens.refresh(body.refresh_token, origin);
  }

  @Post('logout')
  @SignedIn()
  @HttpCode(204)
  @ApiOperation({ summary: "End the sign-in of one of the caller's refresh tokens (204 whatever the token)." })
  @ApiNoContentResponse()
  logout(@CurrentCaller() caller: Caller, @Body() body: LogoutDto): Promise<void> {
    return this.refreshTokens.logout(caller, body.refresh_token);
  }

  @Post('register')
  @Public()
  @ApiCreatedResponse({ type: CurrentUserDto })
  register(@Body() body: RegisterDto): Promise<CurrentUserDto> {
    return this.auth.register(body);
  }

  @Get('user')
  @SignedIn()
  @ApiOkResponse({ type: CurrentUserDto })
  currentUser(@CurrentActor() actor: Actor): Promise<CurrentUserDto> {
    return this.auth.currentUser(actor);
  }

  @Post('password/change')
  @SignedIn()
  @HttpCode(204)
  @ApiOperation({
    summary: "Change the caller's password; every session of the account is signed out.",
    description: '400 on `current_password` (wrong) or `new_password` (policy); 429 `too_many_attempts`.',
  })
  @ApiNoContentResponse()
  changePassword(@CurrentCaller() caller: Caller, @Body() body: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(caller, body);
  }

  @Post('password/reset')
  @Public()
  @HttpCode(202)
  @ApiOperation({
    summary: 'E-mail a password reset link, if the account exists (202 either way, in the same time).',
  })
  @ApiAcceptedResponse()
  requestPasswordReset(@Body() body: PasswordResetRequestDto, @CurrentOrigin() origin: RequestOrigin): Promise<void> {
    return this.passwordReset.request(body, origin);
  }

  @Post('password/reset/confirm')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set a new password with the token of a reset link; every session of the account is signed out.',
    description: '400 `reset_token_invalid` (unknown, expired or used token); 400 on `new_password` (policy).',
  })
  @ApiNoContentResponse()
  confirmPasswordReset(@Body() body: PasswordResetConfirmDto, @CurrentOrigin() origin: RequestOrigin): Promise<void> {
    return this.passwordReset.confirm(body, origin);
  }
}
