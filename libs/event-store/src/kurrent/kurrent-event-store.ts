/*
 * Event store on EventStoreDB / KurrentDB through the official gRPC client.
 *
 * Stream names are the stream ids as they are. The events of one append go in one appendToStream call, which
 * the server writes as one transaction: all or nothing. Each event's data is the whole domain envelope; its
 * metadata names the append (commitId, index, size) so a $all subscription can hand the events of one append
 * to the handler as one CommittedBatch. Positions are `<commit>/<prepare>` of the last event of an append.
 * Requires a server that reports positions on append and read (EventStoreDB ≥ 22.6 or any KurrentDB).
 */
import { upcast, type DomainEvent } from '@jobstream/domain';
import type { AllStreamSubscription, JSONType, KurrentDBClient, ReadPosition } from '@kurrent/kurrentdb-client';
import { ConcurrencyError } from '../errors';
import type {
  AppendResult,
  CommittedBatch,
  EventStore,
  ExpectedRevision,
  ReadOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../port';
import { StreamQueue } from '../stream-queue';
import { chainEvents, chainTipOf } from '../hash-chain';
import { DEFAULT_MAX_EVENT_BYTES, findRetriedAppend, prepareAppend, subscriptionFilter, validateExpected, validateStreamId } from '../validation';
import { closesCommit, commitMetadata, formatPosition, fromCurrentState, KurrentPosition, parsePosition, toKurrentEventId, toStreamState } from './mapping';
import { cancellableDelay, deliverUntilTaken } from '../redelivery';

/** How often an 'any' / 'stream_exists' append retries after losing a race to another writer. */
const MAX_RACE_RETRIES = 20;

type KurrentLibrary = typeof import('@kurrent/kurrentdb-client');

export interface KurrentEventStoreOptions {
  maxEventBytes?: number;
}

function errorType(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { type?: string }).type : undefined;
}

function toRecorded(event: { data: unknown; revision: bigint; position?: KurrentPosition }): RecordedEvent {
  return {
    event: upcast(event.data as DomainEvent),
    revision: Number(event.revision),
    position: event.position ? formatPosition(event.position) : '',
  };
}

export class KurrentEventStore implements EventStore {
  private readonly subscriptions = new Set<Subscription>();
  private readonly queue = new StreamQueue();
  private readonly maxEventBytes: number;

  private constructor(
    private readonly lib: KurrentLibrary,
    private readonly client: KurrentDBClient,
    options: KurrentEventStoreOptions,
  ) {
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  /** The gRPC client is loaded here, not at import time: JetStream deployments never pay for it. */
  static async connect(connectionString: string, options: KurrentEventStoreOptions = {}): Promise<KurrentEventStore> {
    const lib = await import('@kurrent/kurrentdb-client');
    return new KurrentEventStore(lib, lib.KurrentDBClient.connectionString(connectionString), options);
  }

  async append(streamId: string, events: DomainEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    prepareAppend(streamId, events, this.maxEventBytes);
    validateExpected(expectedRevision);
    return this.queue.run(streamId, () => this.write(streamId, events, expectedRevision));
  }

  /**
   * The hash chain needs the stream's last event, so it is read first; an 'any' or 'stream_exists' append is then
   * pinned to that revision (retried if another writer gets in between), so no event lands between the one the
   * chain continues from and the new ones.
   */
  private async write(streamId: string, events: DomainEvent[], expectedRevision: ExpectedRevision, attempt = 0): Promise<AppendResult> {
    const fresh = expectedRevision === 'no_stream' || expectedRevision === -1;
    const last = fresh ? undefined : await this.lastEvent(streamId);
    if (expectedRevision === 'stream_exists' && last === undefined) throw new ConcurrencyError(streamId, expectedRevision, -1);
    const pinned = typeof expectedRevision === 'number' || fresh ? expectedRevision : (last?.revision ?? -1);
    const chained = chainEvents(events, chainTipOf(last?.event));
    const data = chained.map((event, i) =>
      this.lib.jsonEvent({
        id: toKurrentEventId(event.eventId),
        type: event.type,
        data: event as unknown as JSONType,
        metadata: commitMetadata(events, i) as unknown as JSONType,
      }),
    );
    try {
      const result = await this.client.appendToStream(streamId, data, { streamState: toStreamState(pinned) });
      if (!result.position) throw new Error('the server returned no position: EventStoreDB 22.6 or later is required');
      return { nextExpectedRevision: Number(result.nextExpectedRevision), position: formatPosition(result.position) };
    } catch (error) {
      if (errorType(error) !== this.lib.ErrorType.WRONG_EXPECTED_VERSION) throw error;
      if (pinned !== expectedRevision && attempt < MAX_RACE_RETRIES) return this.write(streamId, events, expectedRevision, attempt + 1);
      const actual = fromCurrentState((error as { actualState?: unknown }).actualState);
      const expected = expectedRevision === 'no_stream' ? -1 : expectedRevision;
      if (typeof expected === 'number' && actual >= expected + events.length) {
        const stored = await this.readFrom(streamId, expected + 1, events.length);
        const original = findRetriedAppend(events, stored);
        if (original) return { nextExpectedRevision: original.revision, position: original.position };
      }
      throw new ConcurrencyError(streamId, expectedRevision, actual);
    }
  }

  read(streamId: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    validateStreamId(streamId);
    return this.readFrom(streamId, options.fromRevision ?? 0);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const streamPrefix = options.streamPrefix ?? '';
    const wanted = subscriptionFilter(streamPrefix, options.aggregates);
    const filter = streamPrefix
      ? this.lib.streamNameFilter({ prefixes: [streamPrefix] })
      : this.lib.excludeSystemEvents();
    let from: ReadPosition = options.fromPosition === undefined ? this.lib.START : parsePosition(options.fromPosition);
    let stopping = false;
    let current: AllStreamSubscription | undefined;
    const pause: { cancel?: () => void } = {};

    const deliver = (batch: CommittedBatch) => deliverUntilTaken(options.handler, batch, () => stopping, pause);

    const run = async () => {
      for (let failures = 0; !stopping; ) {
        try {
          current = this.client.subscribeToAll({ fromPosition: from, filter });
          if (stopping) await current.unsubscribe();
          let pending: RecordedEvent[] = [];
          for await (const resolved of current) {
            const event = resolved.event;
            if (!event || !wanted(event.streamId)) continue;
            pending.push(toRecorded(event));
            if (!closesCommit(event.metadata)) continue;
            const batch = { events: pending, position: formatPosition(event.position) };
            pending = [];
            if (!(await deliver(batch))) break;
            from = event.position;
            failures = 0;
          }
          if (!stopping) throw new Error('subscription ended');
        } catch {
          // Resubscribing from the last acknowledged append drops any half-received one, so nothing is split.
          if (!stopping) await cancellableDelay(Math.min(2000, 50 * 2 ** failures++), pause);
        }
      }
    };

    const done = run();
    const subscription: Subscription = {
      stop: async () => {
        stopping = true;
        pause.cancel?.();
        await current?.unsubscribe().catch(() => undefined);
        await done;
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.queue.drain();
    await this.client.dispose();
  }

  private async lastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: this.lib.BACKWARDS, fromRevision: this.lib.END, maxCount: 1 })) {
        if (resolved.event) return { event: resolved.event.data as unknown as DomainEvent, revision: Number(resolved.event.revision), position: '' };
      }
    } catch (error) {
      if (errorType(error) === this.lib.ErrorType.STREAM_NOT_FOUND) return undefined;
      throw error;
    }
    return undefined;
  }

  private async readFrom(streamId: string, fromRevision: number, maxCount?: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { fromRevision: BigInt(fromRevision), maxCount })) {
        if (resolved.event) out.push(toRecorded(resolved.event));
      }
    } catch (error) {
      if (errorType(error) === this.lib.ErrorType.STREAM_NOT_FOUND) return [];
      throw error;
    }
    return out;
  }
}
