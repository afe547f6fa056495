import { Module } from '@nestjs/common';
import { EventStoreModule } from '@jobstream/event-store';
import { healthController, loggerModule, MetricsModule, NatsModule } from '@jobstream/messaging';
import { LocksModule } from './locks/locks.module';

@Module({
  imports: [loggerModule('lock-manager'), NatsModule.forRoot('lock-manager'), MetricsModule.forService('lock-manager'), EventStoreModule, LocksModule],
  controllers: [healthController('lock-manager')],
})
export class LockManagerModule {}
