import { Module } from '@nestjs/common';
import { healthController, loggerModule, NatsModule } from '@jobstream/messaging';

@Module({
  imports: [loggerModule('projector'), NatsModule.forRoot('projector')],
  controllers: [healthController('projector')],
})
export class ProjectorModule {}
