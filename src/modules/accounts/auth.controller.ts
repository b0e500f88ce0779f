import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Public, SignedIn } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { AuthService } from './auth.service';
import { CurrentUserDto, LoginDto, RegisterDto, TokenResponseDto } from './dto/auth.dto';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  login(@Body() body: LoginDto): Promise<TokenResponseDto> {
    return this.auth.login(body);
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
}
