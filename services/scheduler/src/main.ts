import 'reflect-metadata';
import { bootstrapService } from '@jobstream/messaging';
import { SchedulerModule } from './app.module';

bootstrapService('scheduler', SchedulerModule).catch((error) => {
  console.error(error);
  process.exit(1);
});
