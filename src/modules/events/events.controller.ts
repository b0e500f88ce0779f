import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentActor, Customer, StandingCheckedInTransaction } from '../../common/auth/access.decorators';
import { Actor } from '../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../common/idempotency/idempotency.decorators';
import { IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { Page } from '../../common/pagination/pagination';
import { AttendanceService } from './attendance.service';
import {
  AttendanceDto,
  AttendedEventDto,
  AttendedEventPageDto,
  AttendedEventQueryDto,
  AttendEventDto,
} from './dto/attendance.dto';
import { CustomerEventDto, CustomerEventPageDto, EventQueryDto, RegistrationDto } from './dto/event.dto';
import { EventsService } from './events.service';
import { UuidParam } from '../../common/http/openapi.decorators';

@ApiTags('events')
@Controller('api')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly attendance: AttendanceService,
  ) {}

  @Get('events')
  @Customer()
  @ApiOperation({ summary: 'Upcoming (default) or past events, optionally of one type, with my registration.' })
  @ApiOkResponse({ type: CustomerEventPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: EventQueryDto): Promise<Page<CustomerEventDto>> {
    return this.events.listForCustomer(actor, query);
  }

  @Get('events/:id')
  @Customer()
  @UuidParam()
  @ApiOkResponse({ type: CustomerEventDto })
  @ApiNotFoundResponse({ description: 'No such event.' })
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<CustomerEventDto> {
    return this.events.getForCustomer(actor, id);
  }

  @Post('events/:id/register')
  @Customer()
  @StandingCheckedInTransaction()
  @Idempotent()
  @ApiOperation({ summary: 'Take a seat at the event.' })
  @UuidParam()
  @ApiCreatedResponse({ type: RegistrationDto })
  @ApiConflictResponse({ description: 'already_registered, already_attended' })
  @ApiUnprocessableEntityResponse({ description: 'event_full, event_cancelled, event_past' })
  register(
    @IdempotentRequestOf() request: IdempotentRequest,
    @Param('id') id: string,
  ): Promise<IdempotentOutcome<RegistrationDto>> {
    return this.events.register(request, id);
  }

  @Post('events/:id/attend')
  @Customer()
  @StandingCheckedInTransaction()
  @Idempotent()
  @ApiOperation({ summary: 'Check in with the code from the event’s QR code; earns the event_attendance points.' })
  @UuidParam()
  @ApiCreatedResponse({ type: AttendanceDto })
  @ApiConflictResponse({ description: 'already_attended' })
  @ApiUnprocessableEntityResponse({
    description:
      'invalid_event_code, event_code_expired, event_full, event_cancelled, event_past, event_not_started, ' +
      'location_required, outside_event_location',
  })
  attend(
    @IdempotentRequestOf() request: IdempotentRequest,
    @Param('id') id: string,
    @Body() body: AttendEventDto,
  ): Promise<IdempotentOutcome<AttendanceDto>> {
    return this.attendance.attendByCode(request, id, body);
  }

  @Get('me/events')
  @Customer()
  @ApiOperation({ summary: 'The events I attended, latest first.' })
  @ApiOkResponse({ type: AttendedEventPageDto })
  attended(@CurrentActor() actor: Actor, @Query() query: AttendedEventQueryDto): Promise<Page<AttendedEventDto>> {
    return this.attendance.attendedEvents(actor, query);
  }
}
