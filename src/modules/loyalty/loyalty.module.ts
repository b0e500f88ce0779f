import { Module } from '@nestjs/common';
import { ActivitiesController } from './activities/activities.controller';
import { ActivitiesService } from './activities/activities.service';
import { ActivityListeners } from './activities/activity-listener';
import { ProgramsAdminController } from './programs/programs.admin.controller';
import { ProgramsService } from './programs/programs.service';
import { RuleStatsService } from './rules/rule-stats.service';
import { RulesAdminController } from './rules/rules.admin.controller';
import { RulesService } from './rules/rules.service';
import { SimulationService } from './rules/simulation.service';
import { TiersAdminController } from './tiers/tiers.admin.controller';
import { TiersService } from './tiers/tiers.service';

/** Programs, tiers, rules, the points ledger and activity ingestion. */
@Module({
  controllers: [ActivitiesController, ProgramsAdminController, TiersAdminController, RulesAdminController],
  providers: [
    ActivityListeners,
    ActivitiesService,
    ProgramsService,
    TiersService,
    RulesService,
    RuleStatsService,
    SimulationService,
  ],
  exports: [ActivitiesService, ActivityListeners],
})
export class LoyaltyModule {}
