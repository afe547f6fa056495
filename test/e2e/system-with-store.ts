import { createEventStore, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { startSystem, type RunningSystem } from '@jobstream/testing';
import { connect } from 'nats';

export interface SystemWithStore {
  system: RunningSystem;
  /** The system's own event log, to assert on what was appended. */
  store: EventStore;
  stop(): Promise<void>;
}

/** The whole system as real processes, plus a store client on its nats-server for assertions. */
export async function startSystemWithStore(): Promise<SystemWithStore> {
  const system = await startSystem();
  const nc = await connect({ servers: system.nats.url });
  const store = await createEventStore(loadEventStoreConfig({ NATS_URL: system.nats.url }), { nats: nc });
  return {
    system,
    store,
    stop: async () => {
      await store.close();
      await nc.close();
      await system.stop();
    },
  };
}
