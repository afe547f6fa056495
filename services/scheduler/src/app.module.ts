import { Module } from '@nestjs/common';
import { EventStoreModule } from '@jobstream/event-store';
import { healthController, loggerModule, NatsModule } from '@jobstream/messaging';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { DefinitionsModule } from './definitions/definitions.module';
import { DispatcherService } from './dispatch/dispatcher.service';

@Module({
  imports: [loggerModule('scheduler'), NatsModule.forRoot('scheduler'), EventStoreModule, DefinitionsModule, DeadlinesModule],
  controllers: [healthController('scheduler')],
  providers: [DispatcherService],
})
export class SchedulerModule {}
