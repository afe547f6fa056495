import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@jobstream/domain';
import { NatsServerHandle, startNatsServer } from '@jobstream/testing';
import { connect, NatsConnection } from 'nats';
import { eventStoreContract } from './contract/event-store.contract.test-helper';
import { compareJetStreamPositions, JetStreamEventStore } from './jetstream/jetstream-event-store';
import type { CommittedBatch, EventStore, SubscribeOptions, Subscription } from './port';
import { sharedSubscriptions } from './shared-subscriptions';

let server: NatsServerHandle | undefined;
const sharedServer = async () => (server ??= await startNatsServer());

afterAll(async () => {
  await server?.stop();
});

eventStoreContract('sharedSubscriptions over JetStreamEventStore', async () => {
  const { url } = await sharedServer();
  return {
    open: async () => sharedSubscriptions(await JetStreamEventStore.start(await connect({ servers: url }), { ownsConnection: true }), compareJetStreamPositions),
    close: async () => undefined,
  };
});

const WAIT_MS = 10_000;

async function waitUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Records what its handler took; `gate` (when set) holds every delivery until it resolves. */
class Recorder {
  readonly batches: CommittedBatch[] = [];
  readonly attempts: string[] = [];
  gate?: Promise<void>;
  failNext = 0;
  subscription!: Subscription;

  static async start(store: EventStore, options: Omit<SubscribeOptions, 'handler'>): Promise<Recorder> {
    const recorder = new Recorder();
    recorder.subscription = await store.subscribe({ ...options, handler: (batch) => recorder.take(batch) });
    return recorder;
  }

  get positions(): string[] {
    return this.batches.map((b) => b.position);
  }

  get checkpoint(): string | undefined {
    return this.batches[this.batches.length - 1]?.position;
  }

  private async take(batch: CommittedBatch): Promise<void> {
    this.attempts.push(batch.position);
    await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('handler hiccup');
    }
    this.batches.push(batch);
  }
}

describe('sharedSubscriptions specifics', () => {
  jest.setTimeout(30_000);
  let nc: NatsConnection;
  const run = randomUUID().slice(0, 8);
  let streams = 0;
  /** Each case writes its own stream, so a fresh name keeps the cases apart. */
  const openStore = async (maxQueuedCommits?: number) => {
    const name = `SHARED_${run}_${++streams}`;
    const inner = await JetStreamEventStore.start(nc, { streamName: name, subjectPrefix: `sh${run}n${streams}` });
    return { name, store: sharedSubscriptions(inner, compareJetStreamPositions, { maxQueuedCommits }) };
  };

  const ev = (streamId: string): DomainEvent => ({
    eventId: randomUUID(),
    type: 'contract.tested',
    schemaVersion: 1,
    streamId,
    tenant: streamId.split('.')[0],
    occurredAt: new Date().toISOString(),
    correlationId: 'c',
    causationId: null,
    actor: 'user:test',
    data: { nested: { n: 1 } },
  });

  /** Appends one single-event commit to each stream in turn; returns the positions in log order. */
  const appendAll = async (store: EventStore, streamIds: string[]): Promise<string[]> => {
    const positions: string[] = [];
    for (const streamId of streamIds) positions.push((await store.append(streamId, [ev(streamId)], 'any')).position);
    return positions;
  };
  const aggregateOf = (streamId: string) => streamId.split('.')[1];
  const mixed = (count: number) => Array.from({ length: count }, (_, i) => `acme.${['job', 'timer', 'lock'][i % 3]}.${randomUUID()}`);
  /** A consumer's delete is not awaited when its subscription ends, so the count is polled. */
  const consumerCount = async (streamName: string) => (await (await nc.jetstreamManager()).consumers.list(streamName).next()).length;
  const positionsOf = (streamIds: string[], positions: string[], aggregates: string[], after?: string) =>
    positions.filter((p, i) => aggregates.includes(aggregateOf(streamIds[i])) && (after === undefined || Number(p) > Number(after)));

  beforeAll(async () => {
    nc = await connect({ servers: (await sharedServer()).url });
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('reads the log once: one consumer, and the same decoded commit handed to every live subscriber', async () => {
    const { name, store } = await openStore();
    const jobs = await Recorder.start(store, { aggregates: ['job'] });
    const both = await Recorder.start(store, { aggregates: ['job', 'timer'] });
    const all = await Recorder.start(store, {});
    const streamIds = mixed(9);
    const positions = await appendAll(store, streamIds);
    await waitUntil(() => all.batches.length === 9 && both.batches.length === 6 && jobs.batches.length === 3, 'every delivery');

    expect(jobs.positions).toEqual(positionsOf(streamIds, positions, ['job']));
    expect(both.positions).toEqual(positionsOf(streamIds, positions, ['job', 'timer']));
    expect(all.positions).toEqual(positions);
    expect(jobs.batches[0]).toBe(all.batches[0]);
    expect(both.batches[1]).toBe(all.batches[1]);
    await waitUntil(async () => (await consumerCount(name)) === 1, 'one consumer');
    await Promise.all([jobs, both, all].map((r) => r.subscription.stop()));
    await store.close();
  });

  it('gives each subscriber the commits after its own position, whether it starts behind, at or ahead of the shared reader', async () => {
    const { name, store } = await openStore();
    const streamIds = mixed(12);
    const early = await appendAll(store, streamIds.slice(0, 6));
    const middle = await Recorder.start(store, { fromPosition: early[2], aggregates: ['job', 'timer'] });
    await waitUntil(() => middle.batches.length === 2, 'the middle subscriber to reach the end');
    const fromStart = await Recorder.start(store, { aggregates: ['job'] });
    const ahead = await Recorder.start(store, { fromPosition: early[5], aggregates: ['timer', 'lock'] });
    const late = await appendAll(store, streamIds.slice(6));
    const positions = [...early, ...late];
    await waitUntil(() => middle.batches.length === 6 && fromStart.batches.length === 4 && ahead.batches.length === 4, 'every delivery');

    expect(middle.positions).toEqual(positionsOf(streamIds, positions, ['job', 'timer'], early[2]));
    expect(fromStart.positions).toEqual(positionsOf(streamIds, positions, ['job']));
    expect(ahead.positions).toEqual(positionsOf(streamIds, positions, ['timer', 'lock'], early[5]));
    // The subscriber that started behind has caught up and joined the shared reader.
    await waitUntil(async () => (await consumerCount(name)) === 1, 'one consumer');
    await store.close();
  });

  it("retries a subscriber's rejected commit without holding up the others, and loses or repeats nothing", async () => {
    const { store } = await openStore();
    const failing = await Recorder.start(store, { aggregates: ['job'] });
    const other = await Recorder.start(store, { aggregates: ['job'] });
    failing.failNext = 3;
    const streamIds = Array.from({ length: 5 }, () => `acme.job.${randomUUID()}`);
    const positions = await appendAll(store, streamIds);
    await waitUntil(() => other.batches.length === 5 && failing.batches.length === 5, 'both subscribers');

    expect(other.positions).toEqual(positions);
    expect(failing.positions).toEqual(positions);
    expect(failing.attempts).toEqual([positions[0], positions[0], positions[0], ...positions]);
    await store.close();
  });

  it('stops one subscriber alone; started again from its checkpoint it gets exactly the rest', async () => {
    const { store } = await openStore();
    const stays = await Recorder.start(store, { aggregates: ['timer'] });
    const leased = await Recorder.start(store, { aggregates: ['timer'] });
    const streamIds = Array.from({ length: 6 }, () => `acme.timer.${randomUUID()}`);
    const first = await appendAll(store, streamIds.slice(0, 2));
    await waitUntil(() => leased.batches.length === 2, 'the first commits');
    await leased.subscription.stop();
    const second = await appendAll(store, streamIds.slice(2, 4));
    await waitUntil(() => stays.batches.length === 4, 'the subscriber that stayed');
    const again = await Recorder.start(store, { fromPosition: leased.checkpoint, aggregates: ['timer'] });
    const third = await appendAll(store, streamIds.slice(4));
    await waitUntil(() => again.batches.length === 4 && stays.batches.length === 6, 'the restarted subscriber');

    expect(leased.positions).toEqual(first);
    expect(again.positions).toEqual([...second, ...third]);
    expect(stays.positions).toEqual([...first, ...second, ...third]);
    await store.close();
  });

  it('lets a subscriber that falls behind read on its own, then rejoin, in order and without a repeat', async () => {
    const { name, store } = await openStore(2);
    const slow = await Recorder.start(store, { aggregates: ['job'] });
    const fast = await Recorder.start(store, { aggregates: ['job'] });
    let release!: () => void;
    slow.gate = new Promise((r) => (release = r));
    const streamIds = Array.from({ length: 8 }, () => `acme.job.${randomUUID()}`);
    const positions = await appendAll(store, streamIds);
    await waitUntil(() => fast.batches.length === 8, 'the fast subscriber');
    release();
    await waitUntil(() => slow.batches.length === 8, 'the slow subscriber');
    const more = await appendAll(store, [`acme.job.${randomUUID()}`]);
    await waitUntil(() => slow.batches.length === 9 && fast.batches.length === 9, 'a commit after the rejoin');

    expect(slow.positions).toEqual([...positions, ...more]);
    expect(fast.positions).toEqual([...positions, ...more]);
    // Rejoined: its own consumer is gone again.
    await waitUntil(async () => (await consumerCount(name)) === 1, 'one consumer');
    await store.close();
  });

  it('hands out read-only commits: a handler cannot change what another one sees', async () => {
    const { store } = await openStore();
    const errors: unknown[] = [];
    const seen: CommittedBatch[] = [];
    const writer = await store.subscribe({
      aggregates: ['job'],
      handler: async (batch) => {
        try {
          (batch.events[0].event.data as { nested: { n: number } }).nested.n = 2;
        } catch (error) {
          errors.push(error);
        }
      },
    });
    const reader = await store.subscribe({ aggregates: ['job'], handler: async (batch) => void seen.push(batch) });
    await appendAll(store, [`acme.job.${randomUUID()}`]);
    await waitUntil(() => seen.length === 1 && errors.length === 1, 'both handlers');

    expect(errors[0]).toBeInstanceOf(TypeError);
    expect(seen[0].events[0].event.data).toEqual({ nested: { n: 1 } });
    await Promise.all([writer.stop(), reader.stop()]);
    await store.close();
  });
});
