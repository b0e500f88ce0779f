import { Global, Module } from '@nestjs/common';
import { CustomerPointsService } from './customer-points.service';
import { CustomerPrivacyService } from './customer-privacy.service';
import { CustomersAdminController } from './customers.admin.controller';
import { CustomersService } from './customers.service';
import { ExternalCustomersController } from './external-customers.controller';
import { PointsController } from './points.controller';
import { ProfileController } from './profile.controller';

/** Global: registration (accounts) creates the customer row through CustomersService.createForUser. */
@Global()
@Module({
  controllers: [CustomersAdminController, ExternalCustomersController, ProfileController, PointsController],
  providers: [CustomersService, CustomerPointsService, CustomerPrivacyService],
  exports: [CustomersService],
})
export class CustomersModule {}
