import { Module } from '@nestjs/common';
import { LoyaltyModule } from '../loyalty/loyalty.module';
import { CheckinsController } from './checkins.controller';
import { CheckinsService } from './checkins.service';
import { LocationAnalyticsService } from './location-analytics.service';
import { LocationsAdminController } from './locations.admin.controller';
import { LocationsController } from './locations.controller';
import { LocationsService } from './locations.service';

/** Locations and geofences on PostGIS, nearby search, verified check-ins and their analytics. */
@Module({
  imports: [LoyaltyModule],
  controllers: [LocationsAdminController, LocationsController, CheckinsController],
  providers: [LocationsService, CheckinsService, LocationAnalyticsService],
  exports: [LocationsService],
})
export class LocationsModule {}
