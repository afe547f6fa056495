import 'reflect-metadata';
import { bootstrapService } from '@jobstream/messaging';
import { LockManagerModule } from './app.module';

bootstrapService('lock-manager', LockManagerModule).catch((error) => {
  console.error(error);
  process.exit(1);
});
