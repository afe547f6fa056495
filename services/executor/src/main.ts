import 'reflect-metadata';
import { bootstrapService } from '@jobstream/messaging';
import { ExecutorModule } from './app.module';

bootstrapService('executor', ExecutorModule).catch((error) => {
  console.error(error);
  process.exit(1);
});
