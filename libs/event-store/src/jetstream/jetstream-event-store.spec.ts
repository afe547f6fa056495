import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@jobstream/domain';
import { NatsServerHandle, startNatsServer, waitFor } from '@jobstream/testing';
import { connect, NatsConnection } from 'nats';
import { eventStoreContract } from '../contract/event-store.contract.test-helper';
import { withOverrides } from '../store-decorator';
import type { CommittedBatch } from '../port';
import { EVENT_COUNT_HEADER, FIRST_REVISION_HEADER, JetStreamEventStore } from './jetstream-event-store';

let server: NatsServerHandle | undefined;
const sharedServer = async () => (server ??= await startNatsServer());

afterAll(async () => {
  await server?.stop();
});

eventStoreContract('JetStreamEventStore', async () => {
  const { url } = await sharedServer();
  return {
    open: async () => JetStreamEventStore.start(await connect({ servers: url }), { ownsConnection: true }),
    close: async () => undefined,
  };
});

// The same contract for a follower that reads in batches (paced pulls instead of the client's consume()).
eventStoreContract('JetStreamEventStore, subscriptions with a batch window', async () => {
  const { url } = await sharedServer();
  return {
    open: async () => {
      const store = await JetStreamEventStore.start(await connect({ servers: url }), { ownsConnection: true });
      return withOverrides(store, { subscribe: (options) => store.subscribe({ batchWindowMs: 20, ...options }) });
    },
    close: async () => undefined,
  };
});

describe('JetStreamEventStore specifics', () => {
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connect({ servers: (await sharedServer()).url });
  });
  afterAll(async () => {
    await nc?.close();
  });

  const ev = (streamId: string): DomainEvent => ({
    eventId: randomUUID(),
    type: 'job.submitted',
    schemaVersion: 1,
    streamId,
    tenant: 'acme',
    occurredAt: '2025-01-02T03:04:05.000Z',
    correlationId: 'c',
    causationId: null,
    actor: 'user:a',
    data: {},
  });

  it('stores one message per append on <prefix>.<streamId>, with the first revision and count in headers', async () => {
    const store = await JetStreamEventStore.start(nc, { streamName: 'LAYOUT', subjectPrefix: 'lay' });
    const s = `acme.job.${randomUUID()}`;
    await store.append(s, [ev(s)], 'no_stream');
    const events = [ev(s), ev(s), ev(s)];
    const result = await store.append(s, events, 0);

    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info('LAYOUT');
    expect(info.config).toMatchObject({ subjects: ['lay.>'], allow_direct: true, storage: 'file', duplicate_window: 120_000_000_000 });
    expect(info.state.messages).toBe(2);
    const m = await jsm.streams.getMessage('LAYOUT', { last_by_subj: `lay.${s}` });
    expect(String(m.seq)).toBe(result.position);
    expect(m.header.get(FIRST_REVISION_HEADER)).toBe('1');
    expect(m.header.get(EVENT_COUNT_HEADER)).toBe('3');
    expect(m.header.get('Nats-Msg-Id')).toBe(events[0].eventId);
    // The body is the events as given plus the chain fields the store adds.
    expect(m.json<DomainEvent[]>().map(({ previousHash: _p, hash: _h, ...e }) => e)).toEqual(events);
    await store.close();
  });

  it('creates or updates its stream idempotently at start', async () => {
    const first = await JetStreamEventStore.start(nc, { streamName: 'TWICE', subjectPrefix: 'twice', duplicateWindowMs: 60_000 });
    const second = await JetStreamEventStore.start(nc, { streamName: 'TWICE', subjectPrefix: 'twice', duplicateWindowMs: 30_000 });
    const info = await (await nc.jetstreamManager()).streams.info('TWICE');
    expect(info.config.duplicate_window).toBe(30_000_000_000);
    await Promise.all([first.close(), second.close()]);
    expect(nc.isClosed()).toBe(false);
  });

  it('recognises a retry after the duplicate window by the events stored after the expected revision', async () => {
    const store = await JetStreamEventStore.start(nc, { streamName: 'SHORTDEDUP', subjectPrefix: 'short', duplicateWindowMs: 100 });
    const s = `acme.job.${randomUUID()}`;
    const events = [ev(s), ev(s)];
    const original = await store.append(s, events, 'no_stream');
    await new Promise((r) => setTimeout(r, 300));
    const fresh = await JetStreamEventStore.start(nc, { streamName: 'SHORTDEDUP', subjectPrefix: 'short', duplicateWindowMs: 100 });
    expect(await fresh.append(s, events, 'no_stream')).toEqual(original);
    expect(await fresh.read(s)).toHaveLength(2);
    await Promise.all([store.close(), fresh.close()]);
  });

  it('appends after a handed-over stream start without looking the tip up, and looks it up without one', async () => {
    const writer = await JetStreamEventStore.start(nc, { streamName: 'HANDOVER', subjectPrefix: 'hand' });
    // Every single-message read a store makes is a request on one of these subjects: count them.
    let lookups = 0;
    const count = () => lookups++;
    const watches = ['$JS.API.DIRECT.GET.HANDOVER', '$JS.API.DIRECT.GET.HANDOVER.>', '$JS.API.STREAM.MSG.GET.HANDOVER'].map((subject) =>
      nc.subscribe(subject, { callback: count }),
    );
    await nc.flush();
    const appendAfterSubmit = async (handOver: boolean) => {
      const s = `acme.job.${randomUUID()}`;
      const submitted = ev(s);
      const { position } = await writer.append(s, [submitted], 'no_stream');
      const taker = await JetStreamEventStore.start(await connect({ servers: (await sharedServer()).url }), { streamName: 'HANDOVER', subjectPrefix: 'hand', ownsConnection: true });
      if (handOver) taker.rememberStream(s, [{ event: submitted, revision: 0, position }]);
      lookups = 0;
      await taker.append(s, [ev(s)], 0);
      await nc.flush();
      await taker.close();
      return lookups;
    };
    expect(await appendAfterSubmit(true)).toBe(0);
    expect(await appendAfterSubmit(false)).toBe(1);
    for (const w of watches) w.unsubscribe();
    await writer.close();
  });

  it('gathers the commits of a busy log into one pull per batch window, and delivers the first after a quiet spell at once', async () => {
    const store = await JetStreamEventStore.start(nc, { streamName: 'PACED', subjectPrefix: 'paced' });
    // Every pull the subscription makes is a request on this subject: count them.
    let pulls = 0;
    const watch = nc.subscribe('$JS.API.CONSUMER.MSG.NEXT.PACED.>', { callback: () => pulls++ });
    const seen: CommittedBatch[] = [];
    const deliveredAt: number[] = [];
    const subscription = await store.subscribe({
      batchWindowMs: 200,
      handler: async (batch) => {
        seen.push(batch);
        deliveredAt.push(Date.now());
      },
    });
    const until = async (n: number) => {
      while (seen.length < n) await new Promise((r) => setTimeout(r, 5));
    };

    try {
      const first = `acme.job.${randomUUID()}`;
      const appendedAt = Date.now();
      await store.append(first, [ev(first)], 'no_stream');
      await until(1);
      expect(Date.now() - appendedAt).toBeLessThan(150);

      await nc.flush();
      const pullsBefore = pulls;
      const streams = Array.from({ length: 40 }, () => `acme.job.${randomUUID()}`);
      const busyFrom = Date.now();
      for (const s of streams) {
        await store.append(s, [ev(s)], 'no_stream');
        await new Promise((r) => setTimeout(r, 5));
      }
      await until(41);
      await nc.flush();
      // Right after a delivery the window is open: the next commit waits for it instead of coming at once.
      expect(deliveredAt[1] - busyFrom).toBeGreaterThanOrEqual(150);
      // 40 commits over ~250 ms: a pull per window, not one per commit (consume() keeps one open and gets each as it comes).
      expect(pulls - pullsBefore).toBeLessThanOrEqual(6);
      expect(seen.map((b) => b.events[0].event.streamId)).toEqual([first, ...streams]);
    } finally {
      await subscription.stop();
      watch.unsubscribe();
      await store.close();
    }
  });

  it('a batched subscription carries on where it was after its consumer is deleted and after a server restart', async () => {
    const own = await startNatsServer();
    const store = await JetStreamEventStore.start(await connect({ servers: own.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 }), { ownsConnection: true });
    const seen: string[] = [];
    const subscription = await store.subscribe({ batchWindowMs: 20, handler: async (batch) => void seen.push(batch.events[0].event.streamId) });
    const appended: string[] = [];
    const appendSome = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const s = `acme.job.${randomUUID()}`;
        const event = ev(s);
        // Right after a restart the connection may still be reconnecting: try again (the same event, so a
        // retry of an append that was stored is recognised) until the server takes it.
        await waitFor(() => store.append(s, [event], 'no_stream').then(() => true, () => false), 20_000, 50);
        appended.push(s);
      }
    };
    try {
      await appendSome(5);
      await waitFor(() => seen.length === 5, 10_000, 10);

      const ownNc = await connect({ servers: own.url });
      const ownJsm = await ownNc.jetstreamManager();
      for await (const c of ownJsm.consumers.list('JOBSTREAM_EVENTS')) await ownJsm.consumers.delete('JOBSTREAM_EVENTS', c.name);
      await ownNc.close();
      await appendSome(5);
      await waitFor(() => seen.length === 10, 20_000, 10);

      await own.kill();
      await own.restart();
      await appendSome(5);
      await waitFor(() => seen.length === 15, 30_000, 20);
      expect(seen).toEqual(appended);
    } finally {
      await subscription.stop();
      await store.close();
      await own.stop();
    }
  });

  it('rejects subscriptions with wildcard prefixes and positions it did not issue', async () => {
    const store = await JetStreamEventStore.start(nc);
    await expect(store.subscribe({ streamPrefix: 'acme.*', handler: async () => undefined })).rejects.toMatchObject({ field: 'streamPrefix' });
    await expect(store.subscribe({ fromPosition: '12/3', handler: async () => undefined })).rejects.toThrow('not a JetStream event store position');
    await store.close();
  });
});
