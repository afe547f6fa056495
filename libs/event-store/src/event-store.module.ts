import { Global, Inject, Injectable, Module, OnApplicationShutdown, type Provider } from '@nestjs/common';
import { NATS_CONNECTION } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import { createEventStore, loadEventStoreConfig, positionOrderOf } from './config';
import { EVENT_STORE, type EventStore } from './port';
import { sharedSubscriptions } from './shared-subscriptions';
import { timedEventStore } from './timed-event-store';

@Injectable()
class EventStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** EVENT_STORE configured from the environment, on the process's shared NATS connection. */
function eventStoreProvider(shared: boolean): Provider {
  return {
    provide: EVENT_STORE,
    inject: [NATS_CONNECTION],
    useFactory: async (nats: NatsConnection) => {
      const config = loadEventStoreConfig(process.env);
      const store = timedEventStore(await createEventStore(config, { nats }));
      return shared ? sharedSubscriptions(store, positionOrderOf(config.kind)) : store;
    },
  };
}

/** Provides EVENT_STORE (configured from the environment) on the process's shared NATS connection. */
@Global()
@Module({ providers: [eventStoreProvider(false), EventStoreCloser], exports: [EVENT_STORE] })
export class EventStoreModule {}

/**
 * EVENT_STORE for a process with several subscribers to the same log (the scheduler): they share one
 * reading of it, so each commit is fetched and decoded once (see shared-subscriptions.ts).
 */
@Global()
@Module({ providers: [eventStoreProvider(true), EventStoreCloser], exports: [EVENT_STORE] })
export class SharedSubscriptionsEventStoreModule {}
