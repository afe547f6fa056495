import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { PROJECTOR, READ_MODEL } from './config';
import type { Projector } from './projector';
import type { ReadModel } from './read-model/read-model';

/**
 * Starts projecting once the app is wired; on shutdown stops the subscription (finishing the in-flight commit)
 * before the event store and the NATS connection close, and closes SQLite after the query server is gone.
 */
@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('projector');

  constructor(
    @Inject(PROJECTOR) private readonly projector: Projector,
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    this.logger.log(`stopped at ${this.readModel.checkpoint() ?? 'the start: nothing projected yet'}`);
  }

  onApplicationShutdown(): void {
    this.readModel.close();
  }
}
