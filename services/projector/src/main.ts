import 'reflect-metadata';
import { bootstrapService } from '@jobstream/messaging';
import { ProjectorModule } from './app.module';

bootstrapService('projector', ProjectorModule).catch((error) => {
  console.error(error);
  process.exit(1);
});
