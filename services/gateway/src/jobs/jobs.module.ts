import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { NatsSubmitListener } from './nats-submit.listener';

@Module({
  controllers: [JobsController],
  providers: [JobsService, NatsSubmitListener],
  exports: [JobsService],
})
export class JobsModule {}
