/*
 * Event store on one NATS JetStream stream (the embedded default).
 *
 * Layout: every aggregate stream `<tenant>.<aggregate>.<id>` is the subject `<prefix>.<streamId>` of a single
 * file-storage JetStream stream. nats-server 2.9 has no atomic batch publish, so one append ("commit") is ONE
 * message: the body is the JSON array of its events, headers carry the first revision and the event count.
 * One message is stored or not, so a multi-event append is all-or-nothing.
 *
 * Revisions are contiguous 0-based event numbers per stream, not JetStream sequences. Optimistic concurrency uses
 * `Nats-Expected-Last-Subject-Sequence`, which needs the JetStream sequence of the stream's last commit: a bounded
 * cache maps streamId → {lastRevision, seq}; a miss asks the server for the subject's last message (direct get).
 * On a replicated stream every single-message read goes to the stream leader instead: a direct get may be answered
 * by a follower that has not applied the last commit yet (nats-server 2.9 gives direct gets no read-after-write),
 * and a stale read there means a stale tip for the next append or a job read as not yet submitted.
 * Appends to one stream are chained in-process (the next one needs the previous sequence); appends to different
 * streams pipeline freely, with no global lock.
 *
 * Idempotency: `Nats-Msg-Id` is the first event's id, so the server drops a retried commit inside the duplicate
 * window and answers with the original sequence. Beyond the window, a conflict is checked against what is stored
 * right after the expected revision: the same event ids mean a retry, answered with the original result.
 *
 * Positions are the commit's stream sequence in decimal; every event of a commit shares it, and a subscription
 * checkpoints per commit.
 */
import { upcast, type DomainEvent } from '@jobstream/domain';
import { ensureStream, publishToStream } from '@jobstream/messaging';
import {
  AckPolicy,
  ConsumerEvents,
  ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  headers as natsHeaders,
  JetStreamClient,
  JetStreamManager,
  MsgHdrs,
  nanos,
  NatsConnection,
  NatsError,
  PubAck,
  RetentionPolicy,
  StorageType,
  StreamConfig,
} from 'nats';
import { ConcurrencyError, EventTooLargeError, InvalidEventError } from '../errors';
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
import { DEFAULT_MAX_EVENT_BYTES, findRetriedAppend, prepareAppend, subscriptionFilter, validateExpected, validateTokens } from '../validation';
import { StreamQueue } from '../stream-queue';
import { cancellableDelay, deliverUntilTaken } from '../redelivery';
import { chainTipOf, eventHash, GENESIS_HASH } from '../hash-chain';
import { DirectGet, type MessageGet, type StoredCommitMsg } from './direct-get';
import { pacedPull, type CommitSource } from './paced-pull';
import { RevisionCache, StreamTip } from './revision-cache';

export const FIRST_REVISION_HEADER = 'Es-First-Revision';
export const EVENT_COUNT_HEADER = 'Es-Event-Count';
const WRONG_LAST_SUBJECT_SEQUENCE = 10071;
const MSG_ID_HEADER = 'Nats-Msg-Id';
const EXPECTED_LAST_SUBJECT_SEQUENCE_HEADER = 'Nats-Expected-Last-Subject-Sequence';
/** Room left in a message for the headers next to the body. */
const HEADER_ALLOWANCE = 1024;
/** What the chain fields add to each serialized event: `,"previousHash":"<64 hex>","hash":"<64 hex>"`. */
const CHAIN_FIELDS_BYTES = 159;
/** Up to this many commits a read walks with direct gets; longer streams switch to one ephemeral consumer. */
const DIRECT_READ_COMMITS = 8;
/** How often an 'any' / 'stream_exists' append retries after losing a race to another writer. */
const MAX_RACE_RETRIES = 20;
/**
 * Lifetime of a subscription's pull requests; the server heartbeats at half of it and two missed heartbeats
 * make the client pull again (recreating its consumer). The client's 30 s default stalled a subscription
 * ~30 s when the node serving its consumer was killed on a cluster.
 */
const PULL_EXPIRES_MS = 5_000;
/** A subscription's consumer outlives its subscriber (a killed process) this long. */
const SUBSCRIPTION_CONSUMER_IDLE_MS = 60_000;

export interface JetStreamEventStoreOptions {
  streamName?: string;
  subjectPrefix?: string;
  maxEventBytes?: number;
  duplicateWindowMs?: number;
  /** How many streams' last revision/sequence to remember. */
  cacheSize?: number;
  /** Replicas of the stream on a JetStream cluster; default 1. */
  replicas?: number;
  /** Close the connection in close(): true when the store opened it. */
  ownsConnection?: boolean;
}

interface DecodedCommit {
  firstRevision: number;
  events: DomainEvent[];
  seq: number;
}

const decoder = new TextDecoder();

function jetStreamErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}

function isNotFound(error: unknown): boolean {
  return error instanceof NatsError && error.code === '404';
}

function headerNumber(h: MsgHdrs | undefined, name: string, seq: number): number {
  const value = Number(h?.get(name));
  if (!Number.isInteger(value) || value < 0) throw new Error(`message ${seq} has no valid ${name} header: not an event commit`);
  return value;
}

function parsePosition(position: string): number {
  const seq = Number(position);
  if (!/^\d+$/.test(position) || !Number.isSafeInteger(seq)) throw new Error(`not a JetStream event store position: "${position}"`);
  return seq;
}

/** The log's order of two positions (see sharedSubscriptions). */
export function compareJetStreamPositions(a: string, b: string): number {
  return parsePosition(a) - parsePosition(b);
}

export class JetStreamEventStore implements EventStore {
  private readonly js: JetStreamClient;
  private readonly reads: MessageGet;
  private readonly cache: RevisionCache;
  private readonly queue = new StreamQueue();
  private readonly subscriptions = new Set<Subscription>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    readonly streamName: string,
    readonly subjectPrefix: string,
    readonly maxEventBytes: number,
    /** The largest commit body the server takes: its max_payload minus room for headers. */
    readonly maxCommitBytes: number,
    cacheSize: number,
    private readonly ownsConnection: boolean,
    replicated: boolean,
  ) {
    this.js = nc.jetstream();
    this.reads = replicated ? (jsm.streams as MessageGet) : new DirectGet(nc);
    this.cache = new RevisionCache(cacheSize);
  }

  /** Creates or updates the JetStream stream, then returns a store on it. */
  static async start(nc: NatsConnection, options: JetStreamEventStoreOptions = {}): Promise<JetStreamEventStore> {
    const streamName = options.streamName ?? 'JOBSTREAM_EVENTS';
    const subjectPrefix = options.subjectPrefix ?? 'es';
    const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    if (!/^[A-Za-z0-9_-]+$/.test(streamName)) throw new Error(`invalid JetStream stream name "${streamName}"`);
    validateTokens(subjectPrefix, 'subjectPrefix');
    if (!Number.isSafeInteger(maxEventBytes) || maxEventBytes <= 0) throw new Error(`invalid maxEventBytes ${maxEventBytes}`);

    const maxPayload = nc.info?.max_payload ?? DEFAULT_MAX_EVENT_BYTES;
    const jsm = await nc.jetstreamManager();
    // A commit may hold several events, so the stream takes anything the server itself accepts; the
    // per-event limit is enforced before sending.
    const config: Partial<StreamConfig> = {
      name: streamName,
      subjects: [`${subjectPrefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
      allow_direct: true,
      max_msg_size: maxPayload,
      num_replicas: options.replicas ?? 1,
    };
    const replicas = await ensureStream(jsm, config);
    return new JetStreamEventStore(
      nc,
      jsm,
      streamName,
      subjectPrefix,
      maxEventBytes,
      maxPayload - HEADER_ALLOWANCE,
      options.cacheSize ?? 100_000,
      options.ownsConnection ?? false,
      replicas > 1,
    );
  }

  append(streamId: string, events: DomainEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    let serialized: string[];
    try {
      serialized = this.validateCommit(streamId, events);
      validateExpected(expectedRevision);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue.run(streamId, () => this.commit(streamId, events, serialized, expectedRevision, this.cache.get(streamId), false, 0));
  }

  async read(streamId: string, options: ReadOptions = {}): Promise<RecordedEvent[]> {
    validateTokens(streamId, 'streamId');
    const fromRevision = options.fromRevision ?? 0;
    const commits = await this.readCommits(streamId);
    const out: RecordedEvent[] = [];
    for (const commit of commits) {
      const position = String(commit.seq);
      for (let i = 0; i < commit.events.length; i++) {
        const revision = commit.firstRevision + i;
        if (revision >= fromRevision) out.push({ event: commit.events[i], revision, position });
      }
    }
    return out;
  }

  rememberStream(streamId: string, events: readonly RecordedEvent[]): void {
    if (events[0]?.revision !== 0) return;
    let hash = GENESIS_HASH;
    for (const { event } of events) hash = eventHash(event, hash);
    const last = events[events.length - 1];
    this.cache.remember(streamId, { lastRevision: last.revision, seq: parsePosition(last.position), hash });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const streamPrefix = options.streamPrefix ?? '';
    const wanted = subscriptionFilter(streamPrefix, options.aggregates);
    // Subjects filter whole tokens only: the server narrows to the last complete token, the rest is
    // matched here (e.g. `acme.jo` filters `es.acme.>` and keeps streams starting with `acme.jo`).
    // nats-server 2.9 takes one filter subject, so only a single aggregate is filtered there.
    const boundary = streamPrefix.lastIndexOf('.') + 1;
    const oneAggregate = options.aggregates?.length === 1 && streamPrefix === '' ? `*.${options.aggregates[0]}.` : undefined;
    const filter = `${this.subjectPrefix}.${oneAggregate ?? streamPrefix.slice(0, boundary)}>`;
    const idOffset = this.subjectPrefix.length + 1;
    let nextSeq = options.fromPosition === undefined ? 1 : parsePosition(options.fromPosition) + 1;

    let stopping = false;
    const pause: { cancel?: () => void } = {};
    let stopConsuming: (() => void) | undefined;

    const deliver = (batch: CommittedBatch) => deliverUntilTaken(options.handler, batch, () => stopping, pause);

    const run = async () => {
      for (let failures = 0; !stopping; ) {
        let consumerName: string | undefined;
        let messages: CommitSource | undefined;
        let broke = false;
        try {
          // A consumer of our own rather than the client's ordered consumer: the client retries a failed
          // create under the same name, and nats-server 2.9 keeps answering that name from the node it first
          // placed it on, dead or not (seen: no more work dispatched after a node's kill). A new
          // consumer per attempt is placed anew. Its delivery sequence stands in for the ordered check.
          const info = await this.jsm.consumers.add(this.streamName, {
            filter_subject: filter,
            deliver_policy: DeliverPolicy.StartSequence,
            opt_start_seq: nextSeq,
            ack_policy: AckPolicy.None,
            mem_storage: true,
            num_replicas: 1,
            inactive_threshold: nanos(SUBSCRIPTION_CONSUMER_IDLE_MS),
          });
          consumerName = info.name;
          const source = await this.commitsOf(info.name, options.batchWindowMs);
          messages = source;
          stopConsuming = () => source.stop();
          if (stopping) source.stop();
          let delivered = 0;
          for await (const m of source) {
            if (m.info.deliverySequence !== ++delivered) throw new Error(`subscription missed a delivery before ${m.seq}`);
            const streamId = m.subject.slice(idOffset);
            if (wanted(streamId)) {
              const firstRevision = headerNumber(m.headers, FIRST_REVISION_HEADER, m.seq);
              const position = String(m.seq);
              const events = decodeEvents(m.data);
              const batch = { position, events: events.map((event, i) => ({ event, revision: firstRevision + i, position })) };
              if (!(await deliver(batch))) break;
            }
            nextSeq = m.seq + 1;
            failures = 0;
          }
          if (!stopping) throw new Error('consumer ended');
        } catch {
          // The consumer broke (server restart, deleted consumer, its node gone): resume from the last acknowledged commit.
          broke = true;
        } finally {
          messages?.stop();
          // Not awaited: the inactivity threshold removes it anyway if this delete is lost.
          if (consumerName) this.jsm.consumers.delete(this.streamName, consumerName).catch(noop);
        }
        if (broke && !stopping) await cancellableDelay(Math.min(2000, 50 * 2 ** failures++), pause);
      }
    };

    const done = run();
    const subscription: Subscription = {
      stop: async () => {
        stopping = true;
        pause.cancel?.();
        stopConsuming?.();
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
    if (this.ownsConnection) await this.nc.close();
  }

  /** The consumer's commits: paced pulls for a follower that can wait a window, else the client's consume(). */
  private async commitsOf(consumerName: string, batchWindowMs: number | undefined): Promise<CommitSource> {
    if (batchWindowMs !== undefined && batchWindowMs > 0) return pacedPull(this.nc, this.streamName, consumerName, batchWindowMs, PULL_EXPIRES_MS);
    const consumer = await this.js.consumers.get(this.streamName, consumerName);
    const consumed = await consumer.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
    void stopWhenSilent(consumed);
    return { stop: () => consumed.stop(), [Symbol.asyncIterator]: () => consumed[Symbol.asyncIterator]() };
  }

  private subjectOf(streamId: string): string {
    return `${this.subjectPrefix}.${streamId}`;
  }

  /** Checks the append and sizes its commit with the chain fields it will get; returns each event's JSON. */
  private validateCommit(streamId: string, events: DomainEvent[]): string[] {
    const serialized = prepareAppend(streamId, events, this.maxEventBytes);
    let bytes = 1;
    for (const json of serialized) bytes += json.length + CHAIN_FIELDS_BYTES + 1;
    if (bytes * 3 > this.maxCommitBytes) bytes = Buffer.byteLength(`[${serialized.join(',')}]`) + serialized.length * CHAIN_FIELDS_BYTES;
    if (bytes > this.maxCommitBytes) {
      let largest = 0;
      for (let i = 1; i < serialized.length; i++) if (serialized[i].length > serialized[largest].length) largest = i;
      throw new EventTooLargeError(streamId, events[largest].eventId, bytes, this.maxCommitBytes);
    }
    return serialized;
  }

  /**
   * The commit body: each event's JSON with its chain fields spliced in before the closing brace, continuing
   * from the stream's tip. Built per attempt, because a retry after losing a race continues from another tip.
   */
  private chainedBody(events: DomainEvent[], serialized: string[], tip: StreamTip | undefined): { body: Uint8Array; lastHash: string } {
    let previous = tip?.hash ?? GENESIS_HASH;
    const parts: string[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const hash = eventHash(events[i], previous);
      parts[i] = `${serialized[i].slice(0, -1)},"previousHash":"${previous}","hash":"${hash}"}`;
      previous = hash;
    }
    return { body: Buffer.from(`[${parts.join(',')}]`), lastHash: previous };
  }

  /**
   * The hot path stays free of extra awaits: with a usable cached tip (or 'no_stream' on an unknown stream)
   * the message is sent synchronously and only the ack is awaited.
   */
  private commit(
    streamId: string,
    events: DomainEvent[],
    serialized: string[],
    expected: ExpectedRevision,
    tip: StreamTip | undefined,
    verified: boolean,
    attempt: number,
  ): Promise<AppendResult> {
    if (!verified) {
      if (expected === 'no_stream' || expected === -1) {
        if (tip !== undefined) return this.conflict(streamId, events, expected, undefined, false);
      } else if (tip === undefined || (typeof expected === 'number' && tip.lastRevision !== expected)) {
        // The cache may lag behind other writers; only the server's answer decides a conflict.
        return this.lookupThenCommit(streamId, events, serialized, expected, attempt);
      }
    }
    const firstRevision = tip === undefined ? 0 : tip.lastRevision + 1;
    const { body, lastHash } = this.chainedBody(events, serialized, tip);
    return this.publish(streamId, events, body, firstRevision, tip === undefined ? 0 : tip.seq).then(
      (ack) => {
        if (ack.duplicate) return this.originalOf(streamId, events, expected, ack.seq);
        const lastRevision = firstRevision + events.length - 1;
        this.cache.remember(streamId, { lastRevision, seq: ack.seq, hash: lastHash });
        return { nextExpectedRevision: lastRevision, position: String(ack.seq) };
      },
      (error: unknown) => this.afterRejectedPublish(streamId, events, serialized, expected, error, attempt),
    );
  }

  private async lookupThenCommit(
    streamId: string,
    events: DomainEvent[],
    serialized: string[],
    expected: ExpectedRevision,
    attempt: number,
  ): Promise<AppendResult> {
    const tip = await this.lookupTip(streamId);
    if (typeof expected === 'number' && (tip === undefined ? expected !== -1 : tip.lastRevision !== expected)) {
      return this.conflict(streamId, events, expected, tip, true);
    }
    if (tip === undefined && expected === 'stream_exists') throw new ConcurrencyError(streamId, expected, -1);
    return this.commit(streamId, events, serialized, expected, tip, true, attempt);
  }

  /** Error 10071: another writer got in first, or our cached sequence was stale. */
  private async afterRejectedPublish(
    streamId: string,
    events: DomainEvent[],
    serialized: string[],
    expected: ExpectedRevision,
    error: unknown,
    attempt: number,
  ): Promise<AppendResult> {
    if (jetStreamErrorCode(error) !== WRONG_LAST_SUBJECT_SEQUENCE) throw error;
    this.cache.forget(streamId);
    const tip = await this.lookupTip(streamId);
    // 'any' and 'stream_exists' accept whatever is there; a matching revision means only the cache was stale.
    const retry =
      attempt < MAX_RACE_RETRIES &&
      (expected === 'any' || (expected === 'stream_exists' && tip !== undefined) || (typeof expected === 'number' && expected >= 0 && tip?.lastRevision === expected));
    if (retry) return this.commit(streamId, events, serialized, expected, tip, true, attempt + 1);
    return this.conflict(streamId, events, expected, tip, true);
  }

  /**
   * A plain request to the stream subject with the JetStream headers set here: the same wire message as
   * js.publish, without its per-call option handling, which showed up in the append profile (and
   * through messaging's request, without nats.js's per-request cancel error).
   */
  private publish(streamId: string, events: DomainEvent[], body: Uint8Array, firstRevision: number, lastSeq: number): Promise<PubAck> {
    // append, not set: on a new header object set's delete-then-append scan is wasted work.
    const h = natsHeaders();
    h.append(MSG_ID_HEADER, events[0].eventId);
    h.append(EXPECTED_LAST_SUBJECT_SEQUENCE_HEADER, String(lastSeq));
    h.append(FIRST_REVISION_HEADER, String(firstRevision));
    h.append(EVENT_COUNT_HEADER, String(events.length));
    return publishToStream(this.nc, this.subjectOf(streamId), body, h);
  }

  /** Either the events are already stored right after the expected revision (a retry), or it is a real conflict. */
  private async conflict(
    streamId: string,
    events: DomainEvent[],
    expected: ExpectedRevision,
    tip: StreamTip | undefined,
    tipIsFresh: boolean,
  ): Promise<AppendResult> {
    if (!tipIsFresh) tip = await this.lookupTip(streamId);
    const actual = tip?.lastRevision ?? -1;
    const expectedRevision = expected === 'no_stream' ? -1 : expected;
    if (typeof expectedRevision === 'number' && actual >= expectedRevision + events.length) {
      const stored = await this.read(streamId, { fromRevision: expectedRevision + 1 });
      const original = findRetriedAppend(events, stored);
      if (original) return { nextExpectedRevision: original.revision, position: original.position };
    }
    throw new ConcurrencyError(streamId, expected, actual);
  }

  /**
   * The server dropped a duplicate message id: answer with the commit it kept, if it is really the same append.
   * A kept commit that starts with the same events but holds fewer or more means another append stored them
   * (a sync job's submit, stored by the executor with its start while the gateway's fallback stores it too, or
   * the other way round): a conflict.
   */
  private async originalOf(streamId: string, events: DomainEvent[], expected: ExpectedRevision, seq: number): Promise<AppendResult> {
    const commit = decodeCommit(await this.reads.getMessage(this.streamName, { seq }));
    const lastRevision = commit.firstRevision + commit.events.length - 1;
    const shared = Math.min(commit.events.length, events.length);
    let sameStart = true;
    for (let i = 0; i < shared && sameStart; i++) sameStart = commit.events[i].eventId === events[i].eventId;
    if (sameStart && commit.events.length === events.length) return { nextExpectedRevision: lastRevision, position: String(seq) };
    if (sameStart) throw new ConcurrencyError(streamId, expected, lastRevision);
    throw new InvalidEventError('eventId', `${events[0].eventId} was already used by a different append on ${streamId}`);
  }

  private async lookupTip(streamId: string): Promise<StreamTip | undefined> {
    const last = await this.lastCommitOf(streamId);
    return last && this.rememberTip(streamId, last);
  }

  private async lastCommitOf(streamId: string): Promise<StoredCommitMsg | undefined> {
    try {
      return await this.reads.getMessage(this.streamName, { last_by_subj: this.subjectOf(streamId) });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private rememberTip(streamId: string, m: StoredCommitMsg, decoded?: DecodedCommit): StreamTip {
    // Only the last event's hash is needed: no upcasting when the commit is not read for its events.
    const stored = decoded?.events ?? (JSON.parse(decoder.decode(m.data)) as DomainEvent[]);
    const tip = {
      lastRevision: headerNumber(m.header, FIRST_REVISION_HEADER, m.seq) + headerNumber(m.header, EVENT_COUNT_HEADER, m.seq) - 1,
      seq: m.seq,
      hash: chainTipOf(stored[stored.length - 1]),
    };
    this.cache.remember(streamId, tip);
    return tip;
  }

  /**
   * The stream's last commit comes first (one direct get): a stream of one commit, the executor's
   * usual read of a just-submitted job, costs one round trip, and the tip it learns lets the next
   * append skip its own lookup. Short streams (the common 3–50 events, mostly one or two per commit)
   * are then a walk of direct gets up to that last commit: no server-side state, ~0.25 ms per commit
   * here. Creating a consumer costs ~2.5 ms however short the stream, so past DIRECT_READ_COMMITS
   * commits the rest is read through one ephemeral consumer instead, up to that last commit: on a cluster
   * the consumer may run on a follower, which must have caught up to it.
   */
  private async readCommits(streamId: string): Promise<DecodedCommit[]> {
    const subject = this.subjectOf(streamId);
    const last = await this.lastCommitOf(streamId);
    if (last === undefined) return [];
    const tail = decodeCommit(last);
    this.rememberTip(streamId, last, tail);
    if (tail.firstRevision === 0) return [tail];
    const commits: DecodedCommit[] = [];
    let seq = 1;
    for (let i = 0; i < DIRECT_READ_COMMITS; i++) {
      let m: StoredCommitMsg;
      try {
        m = await this.reads.getMessage(this.streamName, { seq, next_by_subj: subject });
      } catch (error) {
        if (isNotFound(error)) return commits;
        throw error;
      }
      if (m.seq >= last.seq) return [...commits, tail];
      commits.push(decodeCommit(m));
      seq = m.seq + 1;
    }
    const info = await this.jsm.consumers.add(this.streamName, {
      filter_subject: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: seq,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      inactive_threshold: nanos(30_000),
    });
    try {
      const pending = info.num_pending;
      if (pending > 0) {
        const consumer = await this.js.consumers.get(this.streamName, info.name);
        const messages = await consumer.fetch({ max_messages: pending, expires: 5_000 });
        for await (const m of messages) {
          commits.push({
            firstRevision: headerNumber(m.headers, FIRST_REVISION_HEADER, m.seq),
            events: decodeEvents(m.data),
            seq: m.seq,
          });
          if (m.seq >= last.seq) break;
        }
      }
      if (commits[commits.length - 1]?.seq !== last.seq) throw new Error(`read of ${subject} ended early`);
    } finally {
      // Not awaited: the inactivity threshold removes it anyway if this delete is lost.
      this.jsm.consumers.delete(this.streamName, info.name).catch(noop);
    }
    return commits;
  }
}

function decodeCommit(m: StoredCommitMsg): DecodedCommit {
  return {
    firstRevision: headerNumber(m.header, FIRST_REVISION_HEADER, m.seq),
    events: decodeEvents(m.data),
    seq: m.seq,
  };
}

/** Every read path goes through here, so every fold sees events in today's schema (docs/audit.md). */
function decodeEvents(data: Uint8Array): DomainEvent[] {
  const events = JSON.parse(decoder.decode(data)) as DomainEvent[];
  for (let i = 0; i < events.length; i++) events[i] = upcast(events[i]);
  return events;
}

/**
 * Ends a subscription's consumer when its heartbeats stop. On a cluster an ordered consumer lives on one
 * node; if that node dies the client only retries `consumer info` against it, forever, and the
 * subscription stalls (seen: jobs accepted after a node's kill stayed QUEUED until the test gave up).
 * Ending it lets the subscription create a new consumer, retrying until one is placed on a live node.
 */
async function stopWhenSilent(messages: ConsumerMessages): Promise<void> {
  for await (const status of await messages.status()) {
    // A restarted server has lost the (memory) consumer: the client would ask for it forever too.
    if (status.type === ConsumerEvents.HeartbeatsMissed || status.type === ConsumerEvents.ConsumerNotFound) {
      messages.stop();
      return;
    }
  }
}

function noop(): void {}
