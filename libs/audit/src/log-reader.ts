import { AckPolicy, DeliverPolicy, nanos, type JsMsg, type NatsConnection } from 'nats';
import { EVENT_COUNT_HEADER, FIRST_REVISION_HEADER } from '@jobstream/event-store';

/** Where the JetStream event store keeps the log (EVENT_STREAM_NAME, EVENT_SUBJECT_PREFIX). */
export interface LogLocation {
  nc: NatsConnection;
  streamName: string;
  subjectPrefix: string;
}

/** One stored commit exactly as it is in JetStream: the audit tools must see what is there, not what a reader makes of it. */
export interface RawCommit {
  /** JetStream sequence: the event store's position. */
  seq: number;
  streamId: string;
  /** From the commit's headers; NaN when a message lacks them (not written by the event store). */
  firstRevision: number;
  eventCount: number;
  data: Uint8Array;
}

export interface WalkOptions {
  /** Only streams of this tenant. */
  tenant?: string;
  /** Only this one stream (overrides tenant). */
  streamId?: string;
  /** Only these subjects below the prefix, e.g. `*.audit.checkpoints`. */
  subjectFilter?: string;
  /** First sequence to read (default 1). */
  fromSeq?: number;
  /** Last sequence to read (default: the end of the log when the walk starts). */
  untilSeq?: number;
  /** Called once the walk knows how many commits it will read. */
  onStart?: (total: number) => void;
  /** Called for each commit in log order; a returned promise is awaited before the next. */
  onCommit: (commit: RawCommit) => void | Promise<void>;
}

/** Messages the server hands over per pull: large enough that a long walk is not bound by round trips. */
const PULL_BATCH = 4096;

/**
 * Reads the log from `fromSeq` to its end as of the start of the walk, through one ephemeral consumer with no
 * acknowledgements: the walk sees the commits present when it starts, in order, and nothing written meanwhile.
 */
export async function walkLog(location: LogLocation, options: WalkOptions): Promise<{ commits: number; lastSeq: number }> {
  const { nc, streamName, subjectPrefix } = location;
  const filter = options.streamId
    ? `${subjectPrefix}.${options.streamId}`
    : options.subjectFilter
      ? `${subjectPrefix}.${options.subjectFilter}`
      : options.tenant
        ? `${subjectPrefix}.${options.tenant}.>`
        : `${subjectPrefix}.>`;
  const jsm = await nc.jetstreamManager();
  const info = await jsm.consumers.add(streamName, {
    filter_subject: filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, options.fromSeq ?? 1),
    ack_policy: AckPolicy.None,
    mem_storage: true,
    inactive_threshold: nanos(30_000),
  });
  const total = info.num_pending;
  options.onStart?.(total);
  const idOffset = subjectPrefix.length + 1;
  let commits = 0;
  let lastSeq = 0;
  try {
    if (total === 0) return { commits, lastSeq };
    const consumer = await nc.jetstream().consumers.get(streamName, info.name);
    const messages = await consumer.consume({ max_messages: PULL_BATCH });
    try {
      for await (const m of messages) {
        // JsMsgImpl's public `reply` getter, left out of the JsMsg interface.
        const seq = streamSeqOf((m as JsMsg & { reply: string }).reply);
        if (options.untilSeq !== undefined && seq > options.untilSeq) break;
        const commit: RawCommit = {
          seq,
          streamId: m.subject.slice(idOffset),
          firstRevision: Number(m.headers?.get(FIRST_REVISION_HEADER) || NaN),
          eventCount: Number(m.headers?.get(EVENT_COUNT_HEADER) || NaN),
          data: m.data,
        };
        const pending = options.onCommit(commit);
        if (pending) await pending;
        commits++;
        lastSeq = seq;
        if (commits >= total) break;
      }
    } finally {
      messages.stop();
    }
    return { commits, lastSeq };
  } finally {
    jsm.consumers.delete(streamName, info.name).catch(() => undefined);
  }
}

/**
 * The stream sequence from a delivery's reply subject: token 5 of `$JS.ACK.<stream>.<consumer>.<delivered>.
 * <stream seq>.<consumer seq>.<timestamp>.<pending>`, token 7 when the server adds `<domain>.<account hash>`
 * after ACK (and a trailing token). `JsMsg.seq` splits and parses every token, a sixth of a long walk's time.
 */
export function streamSeqOf(reply: string): number {
  let dots = 0;
  for (let i = reply.indexOf('.'); i !== -1; i = reply.indexOf('.', i + 1)) dots++;
  const token = dots === 8 ? 5 : 7;
  let start = 0;
  for (let i = 0; i < token; i++) start = reply.indexOf('.', start) + 1;
  return Number(reply.slice(start, reply.indexOf('.', start)));
}

/** The last sequence of the log now: what "until the end" means for a walk started now. */
export async function logEnd(location: LogLocation): Promise<number> {
  const jsm = await location.nc.jetstreamManager();
  return (await jsm.streams.info(location.streamName)).state.last_seq;
}
