import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Customer } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { Page, PageQueryDto } from '../../common/pagination/pagination';
import { ContentService } from './content.service';
import { ContentDto, ContentPageDto } from './dto/content.dto';
import { UuidParam } from '../../common/http/openapi.decorators';

@ApiTags('customer app')
@Controller('api/content')
export class ContentController {
  constructor(private readonly content: ContentService) {}

  @Get()
  @Customer()
  @ApiOperation({ summary: 'The exclusive content my access level opens, newest first.' })
  @ApiOkResponse({ type: ContentPageDto })
  available(@CurrentActor() actor: Actor, @Query() query: PageQueryDto): Promise<Page<ContentDto>> {
    return this.content.available(actor, query);
  }

  @Get(':id')
  @Customer()
  @ApiOperation({ summary: 'One content item, if my access level opens it.' })
  @UuidParam()
  @ApiOkResponse({ type: ContentDto })
  @ApiForbiddenResponse({
    description: '`access_level_required`, with `required_level: {id, name}`: the level that would open it.',
  })
  @ApiNotFoundResponse({ description: 'No such published content in my tenant.' })
  open(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ContentDto> {
    return this.content.open(actor, id);
  }
}
