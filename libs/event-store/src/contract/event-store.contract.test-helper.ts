import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@jobstream/domain';
import { ConcurrencyError, EventTooLargeError, InvalidEventError } from '../errors';
import { eventHash, GENESIS_HASH } from '../hash-chain';
import type { AppendResult, CommittedBatch, EventStore, SubscribeOptions, Subscription } from '../port';

/** What an adapter spec hands the contract: a way to open stores on one shared, running backend. */
export interface EventStoreHarness {
  /** A new store instance on the same storage, with cold caches, as another process would open it. */
  open(): Promise<EventStore>;
  /** Tears the backend down after every store the contract opened is closed. */
  close(): Promise<void>;
}

const WAIT_MS = 10_000;

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Subscribes and records every batch the handler acknowledged, plus the last acknowledged checkpoint. */
class Collector {
  readonly batches: CommittedBatch[] = [];
  checkpoint: string | undefined;
  private subscription!: Subscription;

  static async start(store: EventStore, options: Omit<SubscribeOptions, 'handler'>, onBatch?: (batch: CommittedBatch) => Promise<void>) {
    const collector = new Collector();
    collector.checkpoint = options.fromPosition;
    collector.subscription = await store.subscribe({
      ...options,
      handler: async (batch) => {
        await onBatch?.(batch);
        collector.batches.push(batch);
        collector.checkpoint = batch.position;
      },
    });
    return collector;
  }

  get eventIds(): string[] {
    return this.batches.flatMap((b) => b.events.map((e) => e.event.eventId));
  }

  waitFor(count: number): Promise<void> {
    return waitUntil(() => this.batches.length >= count, `${count} batches (have ${this.batches.length})`);
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }
}

/**
 * The behaviour every EventStore adapter must have. Call it from an adapter's spec; every case uses fresh
 * stream ids under its own tenant, so one backend serves the whole suite.
 */
export function eventStoreContract(name: string, setup: () => Promise<EventStoreHarness>): void {
  describe(`EventStore contract: ${name}`, () => {
    jest.setTimeout(30_000);
    const run = randomUUID().slice(0, 8);
    let tenants = 0;
    let harness: EventStoreHarness;
    let store: EventStore;
    const opened: EventStore[] = [];

    const newTenant = () => `t${run}n${++tenants}`;
    const newStream = (tenant = newTenant(), aggregate = 'job') => `${tenant}.${aggregate}.${randomUUID()}`;
    const open = async () => {
      const s = await harness.open();
      opened.push(s);
      return s;
    };
    // A type no upcaster touches: the contract checks storage, not schema evolution.
    const ev = (streamId: string, type = 'contract.tested', data: unknown = { n: 1 }): DomainEvent => ({
      eventId: randomUUID(),
      type,
      schemaVersion: 1,
      streamId,
      tenant: streamId.split('.')[0],
      occurredAt: new Date().toISOString(),
      correlationId: 'corr-1',
      causationId: null,
      actor: 'user:test',
      data,
    });
    const evs = (streamId: string, count: number) => Array.from({ length: count }, (_, i) => ev(streamId, 'contract.tested', { i }));
    /** Stored events carry chain fields the store added; compare what the caller wrote. */
    const unchained = ({ previousHash: _p, hash: _h, ...event }: DomainEvent) => event;
    const ids = (events: DomainEvent[]) => events.map((e) => e.eventId);
    const storedIds = async (streamId: string) => (await store.read(streamId)).map((r) => r.event.eventId);

    beforeAll(async () => {
      harness = await setup();
      store = await open();
    });

    afterAll(async () => {
      await Promise.all(opened.map((s) => s.close()));
      await harness?.close();
    });

    describe('append', () => {
      it('creates a stream with no_stream, then continues from the returned revision', async () => {
        const s = newStream();
        const first = evs(s, 2);
        const r1 = await store.append(s, first, 'no_stream');
        expect(r1.nextExpectedRevision).toBe(1);
        const second = ev(s, 'job.started');
        const r2 = await store.append(s, [second], r1.nextExpectedRevision);
        expect(r2.nextExpectedRevision).toBe(2);

        const read = await store.read(s);
        expect(read.map((r) => r.revision)).toEqual([0, 1, 2]);
        expect(read.map((r) => unchained(r.event))).toEqual([...first, second]);
        expect(read.map((r) => r.position)).toEqual([r1.position, r1.position, r2.position]);
      });

      it('rejects a wrong expected revision with a ConcurrencyError carrying expected and actual', async () => {
        const s = newStream();
        await store.append(s, [ev(s)], 'no_stream');

        const wrong = await store.append(s, [ev(s)], 5).catch((e: unknown) => e);
        expect(wrong).toBeInstanceOf(ConcurrencyError);
        expect(wrong).toMatchObject({ streamId: s, expected: 5, actual: 0 });

        await expect(store.append(s, [ev(s)], 'no_stream')).rejects.toMatchObject({ expected: 'no_stream', actual: 0 });
        const missing = newStream();
        await expect(store.append(missing, [ev(missing)], 0)).rejects.toMatchObject({ expected: 0, actual: -1 });
        expect(await store.read(s)).toHaveLength(1);
        expect(await store.read(missing)).toEqual([]);
      });

      it('detects a conflict with a writer it has not seen (cold cache in another instance)', async () => {
        const s = newStream();
        const other = await open();
        await store.append(s, [ev(s)], 'no_stream');
        await other.append(s, [ev(s)], 0);
        await expect(store.append(s, [ev(s)], 0)).rejects.toMatchObject({ expected: 0, actual: 1 });
        expect((await store.append(s, [ev(s)], 1)).nextExpectedRevision).toBe(2);
      });

      it("appends with 'any' whatever the stream's state", async () => {
        const s = newStream();
        expect((await store.append(s, [ev(s)], 'any')).nextExpectedRevision).toBe(0);
        expect((await store.append(s, evs(s, 2), 'any')).nextExpectedRevision).toBe(2);
        expect((await store.read(s)).map((r) => r.revision)).toEqual([0, 1, 2]);
      });

      it("rejects 'stream_exists' on a missing stream and accepts it once the stream exists", async () => {
        const s = newStream();
        const error = await store.append(s, [ev(s)], 'stream_exists').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ expected: 'stream_exists', actual: -1 });
        expect(await store.read(s)).toEqual([]);

        await store.append(s, [ev(s)], 'no_stream');
        expect((await store.append(s, [ev(s)], 'stream_exists')).nextExpectedRevision).toBe(1);
      });

      it('answers a retried append (same event ids) with the original result and stores the events once', async () => {
        const s = newStream();
        const first = evs(s, 2);
        const r1 = await store.append(s, first, 'no_stream');
        expect(await store.append(s, first, 'no_stream')).toEqual(r1);

        const second = [ev(s)];
        const r2 = await store.append(s, second, 1);
        await store.append(s, [ev(s)], 2);
        // The stream has moved on: only the events stored after the expected revision can recognise a retry.
        expect(await store.append(s, second, 1)).toEqual(r2);
        expect(await store.append(s, first, 'no_stream')).toEqual(r1);

        const other = await open();
        expect(await other.append(s, second, 1)).toEqual(r2);
        expect(await other.append(s, first, 'no_stream')).toEqual(r1);

        expect(await storedIds(s)).toHaveLength(4);
        await expect(store.append(s, [ev(s)], 1)).rejects.toBeInstanceOf(ConcurrencyError);
      });

      it('refuses an append whose first events another append stored already (with fewer or more), as a conflict', async () => {
        const s = newStream();
        const events = evs(s, 3);
        await store.append(s, events.slice(0, 1), 'no_stream');
        // Another process, no cached tip: the same first event with more after it.
        const other = await open();
        await expect(other.append(s, events, 'no_stream')).rejects.toBeInstanceOf(ConcurrencyError);
        await other.append(s, events.slice(1), 0);
        expect(await storedIds(s)).toEqual(ids(events));
        // And the other way round: the first event alone, after it was stored with others.
        const t = newStream();
        const more = evs(t, 2);
        await store.append(t, more, 'no_stream');
        await expect((await open()).append(t, more.slice(0, 1), 'no_stream')).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await storedIds(t)).toEqual(ids(more));
      });

      it('pipelines many appends in flight: 500 at once on 50 streams, contiguous revisions', async () => {
        const tenant = newTenant();
        const streams = Array.from({ length: 50 }, () => newStream(tenant));
        const planned = streams.map((s) => evs(s, 10));
        const results = await Promise.all(
          streams.flatMap((s, i) => planned[i].map((event, n) => store.append(s, [event], n === 0 ? 'no_stream' : n - 1))),
        );
        expect(results.map((r) => r.nextExpectedRevision)).toEqual(streams.flatMap(() => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
        for (let i = 0; i < streams.length; i++) {
          const read = await store.read(streams[i]);
          expect(read.map((r) => r.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
          expect(read.map((r) => r.event.eventId)).toEqual(ids(planned[i]));
        }
      });
    });

    describe('validation and atomicity', () => {
      it('rejects an event over 1 MiB with EventTooLargeError naming the event', async () => {
        const s = newStream();
        const big = ev(s, 'job.submitted', { blob: 'x'.repeat(1_048_576) });
        const error = await store.append(s, [big], 'no_stream').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EventTooLargeError);
        expect(error).toMatchObject({ streamId: s, eventId: big.eventId, limit: 1_048_576 });
        expect((error as EventTooLargeError).bytes).toBeGreaterThan(1_048_576);
        expect(await store.read(s)).toEqual([]);
      });

      it.each([
        ['eventId', { eventId: '' }],
        ['type', { type: undefined }],
        ['schemaVersion', { schemaVersion: 0 }],
        ['schemaVersion', { schemaVersion: 1.5 }],
        ['tenant', { tenant: '' }],
        ['occurredAt', { occurredAt: 'yesterday' }],
        ['correlationId', { correlationId: undefined }],
        ['actor', { actor: '' }],
        ['streamId', { streamId: 'elsewhere.job.1' }],
      ])('rejects an event with a bad %s with InvalidEventError naming the field', async (field, patch) => {
        const s = newStream();
        const bad = { ...ev(s), ...patch } as DomainEvent;
        const error = await store.append(s, [bad], 'no_stream').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidEventError);
        expect((error as InvalidEventError).field).toBe(field);
        expect(await store.read(s)).toEqual([]);
      });

      it('rejects an empty append, a bad stream id and a bad expected revision', async () => {
        const s = newStream();
        await expect(store.append(s, [], 'no_stream')).rejects.toMatchObject({ field: 'events' });
        await expect(store.append('acme.job.a b', [ev('acme.job.a b')], 'no_stream')).rejects.toMatchObject({ field: 'streamId' });
        await expect(store.append('acme.*.x', [ev('acme.*.x')], 'no_stream')).rejects.toMatchObject({ field: 'streamId' });
        await expect(store.append(s, [ev(s)], -2)).rejects.toMatchObject({ field: 'expectedRevision' });
      });

      it('writes nothing of a batch that holds one invalid or oversized event', async () => {
        const s = newStream();
        await store.append(s, [ev(s)], 'no_stream');
        const invalid = [ev(s), { ...ev(s), actor: '' }, ev(s)];
        await expect(store.append(s, invalid, 0)).rejects.toMatchObject({ field: 'actor' });
        const oversized = [ev(s), ev(s, 'job.submitted', { blob: 'y'.repeat(1_100_000) })];
        await expect(store.append(s, oversized, 0)).rejects.toBeInstanceOf(EventTooLargeError);
        expect(await store.read(s)).toHaveLength(1);
        expect((await store.append(s, [ev(s)], 0)).nextExpectedRevision).toBe(1);
      });

      it('stores exactly one of two concurrent conflicting batches, whole', async () => {
        const s = newStream();
        await store.append(s, [ev(s)], 'no_stream');
        const other = await open();
        const a = evs(s, 3);
        const b = evs(s, 3);
        const outcomes = await Promise.allSettled([store.append(s, a, 0), other.append(s, b, 0)]);
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0].reason).toBeInstanceOf(ConcurrencyError);
        expect(lost[0].reason).toMatchObject({ expected: 0, actual: 3 });

        const stored = await storedIds(s);
        expect(stored).toHaveLength(4);
        expect([ids(a), ids(b)]).toContainEqual(stored.slice(1));
      });
    });

    describe('read', () => {
      it('reads from a revision, and an unknown stream as empty', async () => {
        const s = newStream();
        const events = evs(s, 5);
        await store.append(s, events.slice(0, 2), 'no_stream');
        await store.append(s, events.slice(2, 3), 1);
        await store.append(s, events.slice(3), 2);

        const tail = await store.read(s, { fromRevision: 2 });
        expect(tail.map((r) => r.revision)).toEqual([2, 3, 4]);
        expect(tail.map((r) => unchained(r.event))).toEqual(events.slice(2));
        expect(await store.read(s, { fromRevision: 5 })).toEqual([]);
        expect(await store.read(newStream())).toEqual([]);
      });

      it('chains every event to its predecessor on the stream, across commits and store instances', async () => {
        const s = newStream();
        const events = evs(s, 5);
        await store.append(s, events.slice(0, 2), 'no_stream');
        await (await open()).append(s, events.slice(2, 4), 'any');
        await store.append(s, events.slice(4), 3);
        const read = await (await open()).read(s);
        let previous = GENESIS_HASH;
        for (const { event } of read) {
          expect(event.previousHash).toBe(previous);
          expect(event.hash).toBe(eventHash(event, previous));
          previous = event.hash as string;
        }
        expect(read).toHaveLength(5);
        expect(events.every((e) => e.hash === undefined)).toBe(true);
      });

      it('continues from events another writer handed over (rememberStream), and still refuses a stale hand-over', async () => {
        const s = newStream();
        const events = evs(s, 4);
        const first = await store.append(s, events.slice(0, 1), 'no_stream');
        // As a request carries it: through JSON, from another process.
        const handedOver = [{ event: JSON.parse(JSON.stringify(events[0])) as DomainEvent, revision: 0, position: first.position }];
        const taker = await open();
        taker.rememberStream?.(s, handedOver);
        await taker.append(s, events.slice(1, 2), 0);
        const late = await open();
        late.rememberStream?.(s, handedOver);
        await expect(late.append(s, events.slice(2, 3), 0)).rejects.toBeInstanceOf(ConcurrencyError);
        await late.append(s, events.slice(2, 3), 1);
        await store.append(s, events.slice(3), 2);
        const read = await (await open()).read(s);
        expect(ids(read.map((r) => r.event))).toEqual(ids(events));
        let previous = GENESIS_HASH;
        for (const { event } of read) {
          expect(event.previousHash).toBe(previous);
          expect(event.hash).toBe(eventHash(event, previous));
          previous = event.hash as string;
        }
      });

      it('reads a long stream of many commits in order', async () => {
        const s = newStream();
        const events = evs(s, 40);
        let expected: number | 'no_stream' = 'no_stream';
        for (let i = 0; i < events.length; i += 2) {
          expected = (await store.append(s, events.slice(i, i + 2), expected)).nextExpectedRevision;
        }
        const read = await (await open()).read(s);
        expect(read.map((r) => r.revision)).toEqual(events.map((_, i) => i));
        expect(read.map((r) => r.event.eventId)).toEqual(ids(events));
        expect((await store.read(s, { fromRevision: 33 })).map((r) => r.revision)).toEqual([33, 34, 35, 36, 37, 38, 39]);
      });
    });

    describe('subscribe', () => {
      it('delivers every append as one batch, in append order across streams, from the start', async () => {
        const tenant = newTenant();
        const streams = [newStream(tenant), newStream(tenant, 'lock'), newStream(tenant)];
        const expectedRevision = new Map<string, number>();
        const appended: { events: DomainEvent[]; result: AppendResult }[] = [];
        for (let i = 0; i < 12; i++) {
          const s = streams[(i * 7) % streams.length];
          const events = evs(s, 1 + (i % 3));
          const result = await store.append(s, events, expectedRevision.get(s) ?? 'no_stream');
          expectedRevision.set(s, result.nextExpectedRevision);
          appended.push({ events, result });
        }
        const collector = await Collector.start(store, { streamPrefix: `${tenant}.` });
        await collector.waitFor(appended.length);
        await collector.stop();

        expect(collector.batches.map((b) => b.position)).toEqual(appended.map((a) => a.result.position));
        expect(collector.batches.map((b) => b.events.map((e) => unchained(e.event)))).toEqual(appended.map((a) => a.events));
        for (const [i, batch] of collector.batches.entries()) {
          const last = batch.events[batch.events.length - 1];
          expect(last.revision).toBe(appended[i].result.nextExpectedRevision);
          expect(batch.events.every((e) => e.position === batch.position)).toBe(true);
        }
      });

      it('delivers appends made after it started, and only streams under its prefix', async () => {
        const tenant = newTenant();
        const job = newStream(tenant, 'job');
        const lock = newStream(tenant, 'lock');
        const elsewhere = newStream();
        const collector = await Collector.start(store, { streamPrefix: `${tenant}.jo` });
        const events = [ev(job), ev(lock), ev(elsewhere), ev(job)];
        await store.append(job, [events[0]], 'no_stream');
        await store.append(lock, [events[1]], 'no_stream');
        await store.append(elsewhere, [events[2]], 'no_stream');
        await store.append(job, [events[3]], 0);
        await collector.waitFor(2);
        await collector.stop();
        expect(collector.eventIds).toEqual([events[0].eventId, events[3].eventId]);
      });

      it('delivers only the aggregates it names, alone or with a prefix', async () => {
        const tenant = newTenant();
        const [job, lock, timer] = [newStream(tenant, 'job'), newStream(tenant, 'lock'), newStream(tenant, 'timer')];
        const one = await Collector.start(store, { aggregates: ['timer'] });
        const two = await Collector.start(store, { streamPrefix: `${tenant}.`, aggregates: ['lock', 'timer'] });
        const events = [ev(job), ev(lock), ev(timer)];
        for (const [i, stream] of [job, lock, timer].entries()) await store.append(stream, [events[i]], 'no_stream');
        await two.waitFor(2);
        const ofTenant = () => one.eventIds.filter((id) => id === events[2].eventId);
        await waitUntil(() => ofTenant().length === 1, 'the timer event');
        await Promise.all([one.stop(), two.stop()]);
        expect(two.eventIds).toEqual([events[1].eventId, events[2].eventId]);
        expect(one.batches.every((b) => b.events.every((e) => e.event.streamId.split('.')[1] === 'timer'))).toBe(true);
        await expect(store.subscribe({ aggregates: ['job.x'], handler: async () => undefined })).rejects.toThrow(/aggregate/);
      });

      it('resumes from a stored checkpoint with no gap and no duplicate', async () => {
        const tenant = newTenant();
        const streams = [newStream(tenant), newStream(tenant)];
        const before = streams.map((s) => ev(s));
        await store.append(streams[0], [before[0]], 'no_stream');
        await store.append(streams[1], [before[1]], 'no_stream');

        const first = await Collector.start(store, { streamPrefix: `${tenant}.` });
        await first.waitFor(2);
        await first.stop();
        expect(first.eventIds).toEqual(ids(before));

        const after = [ev(streams[1]), ev(streams[0]), ev(streams[0])];
        await store.append(streams[1], [after[0]], 0);
        await store.append(streams[0], after.slice(1), 0);

        const resumed = await Collector.start(await open(), { streamPrefix: `${tenant}.`, fromPosition: first.checkpoint });
        await resumed.waitFor(2);
        await resumed.stop();
        expect(resumed.eventIds).toEqual(ids(after));
        expect(resumed.batches.map((b) => b.events.length)).toEqual([1, 2]);
      });

      it('redelivers the same batch to a handler that throws, and never skips it', async () => {
        const tenant = newTenant();
        const s = newStream(tenant);
        const events = evs(s, 3);
        for (let i = 0; i < events.length; i++) await store.append(s, [events[i]], i === 0 ? 'no_stream' : i - 1);

        const seen: string[] = [];
        let failures = 0;
        const collector = await Collector.start(store, { streamPrefix: `${tenant}.` }, async (batch) => {
          const id = batch.events[0].event.eventId;
          seen.push(id);
          if (id === events[1].eventId && failures < 2) {
            failures++;
            throw new Error('projection hiccup');
          }
        });
        await collector.waitFor(3);
        await collector.stop();
        expect(seen).toEqual([events[0].eventId, events[1].eventId, events[1].eventId, events[1].eventId, events[2].eventId]);
        expect(collector.eventIds).toEqual(ids(events));
      });

      it('stop() waits for the handler in flight', async () => {
        const tenant = newTenant();
        const s = newStream(tenant);
        await store.append(s, [ev(s)], 'no_stream');
        let entered!: () => void;
        const handlerEntered = new Promise<void>((r) => (entered = r));
        let finished = false;
        const subscription = await store.subscribe({
          streamPrefix: `${tenant}.`,
          handler: async () => {
            entered();
            await new Promise((r) => setTimeout(r, 100));
            finished = true;
          },
        });
        await handlerEntered;
        await subscription.stop();
        expect(finished).toBe(true);
      });
    });
  });
}
