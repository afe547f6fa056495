import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';
import { OpenFeeds, TenantEventsController } from './tenant-events.controller';

/** The dashboard page and its tenant-wide live feed. */
@Module({
  controllers: [DashboardController, TenantEventsController],
  providers: [OpenFeeds],
})
export class DashboardModule {}
