import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { CREDENTIAL_RESOLVER } from '../../common/auth/credential-resolver';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/configuration';
import { LoyaltyModule } from '../loyalty/loyalty.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ApiKeyCredentialResolver } from './api-key.credential-resolver';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { CompositeCredentialResolver } from './composite-credential.resolver';
import { JwtCredentialResolver } from './jwt-credential.resolver';
import { JwtStrategy } from './jwt.strategy';
import { StaffUsersController } from './staff-users.controller';
import { StaffUsersService } from './staff-users.service';
import { jwtModuleOptions, TokenService } from './token.service';
import { LoginThrottle } from './login-throttle.service';
import { MfaEnrollmentGuard } from './mfa-enrollment.guard';
import { MfaController } from './mfa.controller';
import { MfaService } from './mfa.service';
import { PasswordResetService } from './password-reset.service';
import { RefreshTokenService } from './refresh-tokens.service';

@Module({
  imports: [
    PassportModule,
    LoyaltyModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => jwtModuleOptions(config),
    }),
    NotificationsModule,
  ],
  controllers: [AuthController, MfaController, ApiKeysController, StaffUsersController],
  providers: [
    AuthService,
    TokenService,
    JwtStrategy,
    RefreshTokenService,
    PasswordResetService,
    MfaService,
    MfaEnrollmentGuard,
    LoginThrottle,
    ApiKeysService,
    StaffUsersService,
    JwtCredentialResolver,
    ApiKeyCredentialResolver,
    { provide: CREDENTIAL_RESOLVER, useClass: CompositeCredentialResolver },
  ],
  exports: [CREDENTIAL_RESOLVER],
})
export class AccountsModule {}
