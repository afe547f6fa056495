import { Module } from '@nestjs/common';
import { DefinitionReactorService } from './definition-reactor.service';
import { DefinitionRunsService } from './definition-runs.service';
import { DefinitionsController } from './definitions.controller';

/** Runs of job definitions: starting them, and recording what their jobs do. */
@Module({
  controllers: [DefinitionsController],
  providers: [DefinitionRunsService, DefinitionReactorService],
  exports: [DefinitionRunsService],
})
export class DefinitionsModule {}
