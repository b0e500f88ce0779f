import { Module } from '@nestjs/common';
import { LoyaltyModule } from '../loyalty/loyalty.module';
import { AttendanceService } from './attendance.service';
import { EventCodesService } from './event-codes.service';
import { EventsAdminController } from './events.admin.controller';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

/** Community events: planning, registration within capacity, QR and manual attendance, reports. */
@Module({
  imports: [LoyaltyModule],
  controllers: [EventsAdminController, EventsController],
  providers: [EventsService, AttendanceService, EventCodesService],
})
export class EventsModule {}
