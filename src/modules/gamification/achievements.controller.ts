import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Customer } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { Page, PageQueryDto } from '../../common/pagination/pagination';
import { AchievementsService } from './achievements.service';
import { MyAchievementDto, MyAchievementPageDto } from './dto/achievement.dto';

@ApiTags('customer app')
@Controller('api/achievements')
export class AchievementsController {
  constructor(private readonly achievements: AchievementsService) {}

  @Get()
  @Customer()
  @ApiOperation({ summary: 'My badges, earned and locked, each with my progress and when I unlocked it.' })
  @ApiOkResponse({ type: MyAchievementPageDto })
  mine(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<Page<MyAchievementDto>> {
    return this.achievements.mine(actor, query);
  }
}
