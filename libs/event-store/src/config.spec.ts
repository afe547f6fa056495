import { startNatsServer } from '@jobstream/testing';
import { connect } from 'nats';
import { createEventStore, loadEventStoreConfig } from './config';
import { JetStreamEventStore } from './jetstream/jetstream-event-store';

describe('loadEventStoreConfig', () => {
  it('defaults to the embedded JetStream store', () => {
    expect(loadEventStoreConfig({})).toEqual({
      kind: 'jetstream',
      natsUrl: 'nats://127.0.0.1:4222',
      eventStoreUrl: undefined,
      streamName: 'JOBSTREAM_EVENTS',
      subjectPrefix: 'es',
      maxEventBytes: 1_048_576,
      replicas: 1,
    });
  });

  it('reads every variable', () => {
    const config = loadEventStoreConfig({
      EVENT_STORE: 'eventstoredb',
      NATS_URL: 'nats://a:4222,nats://b:4222',
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      EVENT_STREAM_NAME: 'EVENTS_2',
      EVENT_SUBJECT_PREFIX: 'events.v2',
      EVENT_MAX_BYTES: '2048',
      JETSTREAM_REPLICAS: '3',
    });
    expect(config).toEqual({
      kind: 'eventstoredb',
      natsUrl: 'nats://a:4222,nats://b:4222',
      eventStoreUrl: 'esdb://localhost:2113?tls=false',
      streamName: 'EVENTS_2',
      subjectPrefix: 'events.v2',
      maxEventBytes: 2048,
      replicas: 3,
    });
  });

  it.each([
    [{ EVENT_STORE: 'postgres' }, 'EVENT_STORE="postgres" is invalid'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_URL'],
    [{ EVENTSTORE_URL: 'http://x' }, 'EVENTSTORE_URL="http://x" is invalid'],
    [{ NATS_URL: 'localhost:4222' }, 'NATS_URL'],
    [{ EVENT_STREAM_NAME: 'my.events' }, 'EVENT_STREAM_NAME'],
    [{ EVENT_SUBJECT_PREFIX: 'es.>' }, 'EVENT_SUBJECT_PREFIX'],
    [{ EVENT_MAX_BYTES: '1MB' }, 'EVENT_MAX_BYTES="1MB"'],
    [{ EVENT_MAX_BYTES: '0' }, 'EVENT_MAX_BYTES'],
  ])('rejects %j with a clear message', (env, message) => {
    expect(() => loadEventStoreConfig(env)).toThrow(message);
  });
});

describe('createEventStore', () => {
  it('builds a JetStream store on a given connection and leaves the connection open on close', async () => {
    const server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      const store = await createEventStore(loadEventStoreConfig({ EVENT_STREAM_NAME: 'FACTORY' }), { nats: nc });
      expect(store).toBeInstanceOf(JetStreamEventStore);
      await store.close();
      expect(nc.isClosed()).toBe(false);

      const own = await createEventStore(loadEventStoreConfig({ NATS_URL: server.url, EVENT_STREAM_NAME: 'FACTORY' }));
      await own.close();
    } finally {
      await nc.close();
      await server.stop();
    }
  });
});
