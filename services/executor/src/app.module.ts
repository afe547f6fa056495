import { Module } from '@nestjs/common';
import { EventStoreModule } from '@jobstream/event-store';
import { healthController, loggerModule, MetricsModule, NatsModule } from '@jobstream/messaging';
import { ExecutorService } from './runtime/executor.service';

@Module({
  imports: [loggerModule('executor'), NatsModule.forRoot('executor'), MetricsModule.forService('executor'), EventStoreModule],
  controllers: [healthController('executor')],
  providers: [ExecutorService],
})
export class ExecutorModule {}
