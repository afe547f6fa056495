import { Module } from '@nestjs/common';
import { DefinitionsModule } from '../definitions/definitions.module';
import { DefinitionSchedulesService } from './definition-schedules.service';

/** Job definitions with a schedule run from the scheduler's durable timers; their next run is recorded on the definition. */
@Module({ imports: [DefinitionsModule], providers: [DefinitionSchedulesService] })
export class DefinitionSchedulesModule {}
