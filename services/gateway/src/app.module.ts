import { Module } from '@nestjs/common';
import { healthController, loggerModule, NatsModule } from '@jobstream/messaging';
import { HealthController } from './health/health.controller';

@Module({
  imports: [loggerModule('gateway'), NatsModule.forRoot('gateway')],
  controllers: [HealthController, healthController('gateway')],
})
export class GatewayModule {}
