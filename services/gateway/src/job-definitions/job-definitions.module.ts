import { Module } from '@nestjs/common';
import { JobDefinitionsController } from './job-definitions.controller';
import { JobDefinitionsService } from './job-definitions.service';

@Module({
  controllers: [JobDefinitionsController],
  providers: [JobDefinitionsService],
})
export class JobDefinitionsModule {}
