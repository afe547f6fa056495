import { Module } from '@nestjs/common';
import { EventStoreModule } from '@jobstream/event-store';
import { healthController, loggerModule, MetricsModule, NatsModule } from '@jobstream/messaging';
import { AuthModule } from './auth/auth.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { ExecutorsModule } from './executors/executors.module';
import { HealthController } from './health/health.controller';
import { JobDefinitionsModule } from './job-definitions/job-definitions.module';
import { JobsModule } from './jobs/jobs.module';
import { SyncModule } from './sync/sync.module';
import { LocksModule } from './locks/locks.module';
import { OrchestrationModule } from './orchestration/orchestration.module';

@Module({
  imports: [loggerModule('gateway', { requestLogs: false }), NatsModule.forRoot('gateway'), MetricsModule.forService('gateway'), DashboardModule, EventStoreModule, JobsModule, JobDefinitionsModule, LocksModule, SyncModule, OrchestrationModule, ExecutorsModule, AuthModule],
  controllers: [HealthController, healthController('gateway')],
})
export class GatewayModule {}
