import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiKey, Caller, CurrentActor, CurrentCaller, Roles } from '../../common/auth/access.decorators';
import { Actor, tenantIdOf } from '../../common/auth/actor';
import { Idempotent, IdempotentRequestOf } from '../../common/idempotency/idempotency.decorators';
import { IdempotentRequest } from '../../common/idempotency/idempotency.service';
import { IdempotentOutcome } from '../../common/idempotency/idempotent-outcome';
import { Page } from '../../common/pagination/pagination';
import { AttendanceService } from './attendance.service';
import { AttendanceDto, AttendanceReportDto, RecordAttendanceDto, ReportQueryDto } from './dto/attendance.dto';
import {
  AdminEventQueryDto,
  CreateEventDto,
  EventCodeDto,
  EventCodeQueryDto,
  EventDto,
  EventPageDto,
  UpdateEventDto,
} from './dto/event.dto';
import { EventCodesService } from './event-codes.service';
import { EventsService } from './events.service';
import { UuidParam } from '../../common/http/openapi.decorators';

@ApiTags('events (admin)')
@Controller('api/admin/events')
export class EventsAdminController {
  constructor(
    private readonly events: EventsService,
    private readonly attendance: AttendanceService,
    private readonly codes: EventCodesService,
  ) {}

  @Get()
  @Roles('staff')
  @ApiKey('events:write')
  @ApiOperation({ summary: 'Events, filtered by when (upcoming|past), type and status.' })
  @ApiOkResponse({ type: EventPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: AdminEventQueryDto): Promise<Page<EventDto>> {
    return this.events.list(tenantIdOf(actor), query);
  }

  @Post()
  @Roles('staff')
  @ApiKey('events:write')
  @Idempotent()
  @ApiOperation({ summary: 'Plan an event.' })
  @ApiCreatedResponse({ type: EventDto })
  create(
    @IdempotentRequestOf() request: IdempotentRequest,
    @CurrentCaller() caller: Caller,
    @Body() body: CreateEventDto,
  ): Promise<IdempotentOutcome<EventDto>> {
    return this.events.create(request, caller, body);
  }

  @Get(':id')
  @Roles('staff')
  @ApiKey('events:write')
  @UuidParam()
  @ApiOkResponse({ type: EventDto })
  @ApiNotFoundResponse({ description: 'No such event in this tenant.' })
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<EventDto> {
    return this.events.get(tenantIdOf(actor), id);
  }

  @Patch(':id')
  @Roles('staff')
  @ApiKey('events:write')
  @ApiOperation({ summary: 'Change an event; status scheduled re-opens a cancelled one.' })
  @UuidParam()
  @ApiOkResponse({ type: EventDto })
  @ApiUnprocessableEntityResponse({ description: 'capacity_below_seats_taken' })
  update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() body: UpdateEventDto): Promise<EventDto> {
    return this.events.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('staff')
  @ApiKey('events:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Cancel an event (it stays, with its registrations and attendance).' })
  @UuidParam()
  @ApiNoContentResponse({ description: 'Cancelled.' })
  cancel(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
    return this.events.cancel(caller, id);
  }

  @Get(':id/qr')
  @Roles('staff')
  @ApiKey('events:write')
  @ApiOperation({
    summary:
      'The check-in code on screen now: JSON, or the same code as a QR image (png, svg). It rotates every ' +
      'EVENT_CODE_ROTATION_SECONDS and is accepted for one period more; images carry X-Code-Expires-At.',
  })
  @UuidParam()
  @ApiProduces('application/json', 'image/png', 'image/svg+xml')
  @ApiOkResponse({ type: EventCodeDto, description: 'JSON; with format=png or svg, the QR image.' })
  @ApiUnprocessableEntityResponse({ description: 'event_cancelled' })
  async checkInCode(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: EventCodeQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventCodeDto | Buffer | string> {
    const shown = await this.codes.show(tenantIdOf(actor), id, query.format);
    void reply.header('cache-control', 'no-store');
    if (shown.contentType === 'application/json') return shown.body;
    void reply.header('content-type', shown.contentType).header('x-code-expires-at', shown.body.expires_at);
    return shown.image;
  }

  @Post(':id/attendance')
  @Roles('staff')
  @ApiKey('events:write')
  @Idempotent()
  @ApiOperation({ summary: 'Record a customer’s attendance by hand; earns the event_attendance points.' })
  @UuidParam()
  @ApiCreatedResponse({ type: AttendanceDto })
  @ApiConflictResponse({ description: 'already_attended' })
  @ApiUnprocessableEntityResponse({ description: 'event_full, event_cancelled, event_past, event_not_started' })
  recordAttendance(
    @IdempotentRequestOf() request: IdempotentRequest,
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: RecordAttendanceDto,
  ): Promise<IdempotentOutcome<AttendanceDto>> {
    return this.attendance.recordManually(request, caller, id, body);
  }

  @Get(':id/report')
  @Roles('staff')
  @ApiKey('events:write')
  @ApiOperation({ summary: 'Who attended (names, e-mail, method, time) and how many registered; ?format=csv too.' })
  @UuidParam()
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: AttendanceReportDto, description: 'JSON; with format=csv, a CSV attachment.' })
  async report(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: ReportQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AttendanceReportDto | string> {
    const report = await this.attendance.report(tenantIdOf(actor), id, query.format);
    if (report.format === 'json') return report.body;
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${report.filename}"`);
    return report.csv;
  }
}
