import { Module } from '@nestjs/common';
import { healthController, loggerModule, NatsModule } from '@jobstream/messaging';

@Module({
  imports: [loggerModule('lock-manager'), NatsModule.forRoot('lock-manager')],
  controllers: [healthController('lock-manager')],
})
export class LockManagerModule {}
