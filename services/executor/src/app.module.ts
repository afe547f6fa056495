import { Module } from '@nestjs/common';
import { healthController, loggerModule, NatsModule } from '@jobstream/messaging';

@Module({
  imports: [loggerModule('executor'), NatsModule.forRoot('executor')],
  controllers: [healthController('executor')],
})
export class ExecutorModule {}
