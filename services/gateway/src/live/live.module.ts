import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { JobEventsController } from './job-events.controller';
import { JobWaiter } from './job-waiter';
import { LiveTransitions } from './live-transitions';

@Module({
  imports: [JobsModule],
  controllers: [JobEventsController],
  providers: [LiveTransitions, JobWaiter],
  exports: [LiveTransitions, JobWaiter],
})
export class LiveModule {}
