import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { NATS_CONNECTION } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { createEventStore, loadEventStoreConfig } from './config';
import { EVENT_STORE, type EventStore } from './port';
import { timedEventStore } from './timed-event-store';

@Injectable()
class EventStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Provides EVENT_STORE (configured from the environment) on the process's shared NATS connection. */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [NATS_CONNECTION],
      useFactory: (nats: NatsConnection) => createEventStore(loadEventStoreConfig(process.env), { nats }).then(timedEventStore),
    },
    EventStoreCloser,
  ],
  exports: [EVENT_STORE],
})
export class EventStoreModule {}
