import { Logger, Module } from '@nestjs/common';
import { EVENT_STORE, EventStoreModule, type EventStore } from '@jobstream/event-store';
import { healthController, loggerModule, MetricsModule, NatsModule } from '@jobstream/messaging';
import { loadProjectorConfig, PROJECTOR, PROJECTOR_CONFIG, READ_MODEL, type ProjectorConfig } from './config';
import { Projector } from './projector';
import { OrphansModule } from './orphans/orphans.module';
import { ProjectorLifecycle } from './projector.lifecycle';
import { QueryController } from './query.controller';
import { ReadModel } from './read-model/read-model';

@Module({
  imports: [loggerModule('projector'), NatsModule.forRoot('projector'), MetricsModule.forService('projector'), EventStoreModule, OrphansModule],
  controllers: [healthController('projector'), QueryController],
  providers: [
    { provide: PROJECTOR_CONFIG, useFactory: () => loadProjectorConfig() },
    {
      provide: READ_MODEL,
      inject: [PROJECTOR_CONFIG],
      useFactory: (config: ProjectorConfig) => ReadModel.open(config.dbPath),
    },
    {
      provide: PROJECTOR,
      inject: [EVENT_STORE, READ_MODEL, PROJECTOR_CONFIG],
      useFactory: (store: EventStore, readModel: ReadModel, config: ProjectorConfig) => {
        const logger = new Logger('projector');
        return new Projector(store, readModel, {
          rebuild: config.rebuild,
          groupWindowMs: config.groupWindowMs,
          logger: {
            log: (message) => logger.log(message),
            error: (message, error) => logger.error(message, error instanceof Error ? error.stack : String(error)),
          },
        });
      },
    },
    ProjectorLifecycle,
  ],
})
export class ProjectorModule {}
