import { Module } from '@nestjs/common';
import { SharedSubscriptionsEventStoreModule } from '@jobstream/event-store';
import { healthController, loggerModule, MetricsModule, NatsModule } from '@jobstream/messaging';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { DefinitionSchedulesModule } from './definition-schedules/definition-schedules.module';
import { DefinitionsModule } from './definitions/definitions.module';
import { DispatcherService } from './dispatch/dispatcher.service';
import { LeadershipModule } from './lease/leadership.module';

@Module({
  imports: [loggerModule('scheduler'), NatsModule.forRoot('scheduler'), MetricsModule.forService('scheduler'), SharedSubscriptionsEventStoreModule, DefinitionsModule, LeadershipModule, DeadlinesModule, DefinitionSchedulesModule],
  controllers: [healthController('scheduler')],
  providers: [DispatcherService],
})
export class SchedulerModule {}
