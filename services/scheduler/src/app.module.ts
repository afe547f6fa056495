import { Module } from '@nestjs/common';
import { healthController, loggerModule, NatsModule } from '@jobstream/messaging';

@Module({
  imports: [loggerModule('scheduler'), NatsModule.forRoot('scheduler')],
  controllers: [healthController('scheduler')],
})
export class SchedulerModule {}
