import { AckPolicy, createInbox, DeliverPolicy, nanos, type Msg, type NatsConnection } from 'nats';
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

/** Messages asked for ahead of the ones handled: enough that the server never waits for a pull on a long walk. */
const WINDOW = 2048;
/** Messages per pull request: the window is topped up each time this many have been handled. */
const PULL_CHUNK = 512;

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
  try {
    if (total === 0) return { commits: 0, lastSeq: 0 };
    return await pullAll(location, info.name, total, options);
  } finally {
    jsm.consumers.delete(streamName, info.name).catch(() => undefined);
  }
}

/**
 * Pulls the consumer's `total` messages with the JetStream pull protocol on one inbox whose handler runs per
 * message, not through nats.js's consumer iterator (a promise hop per message, a fifth of a long walk) nor its
 * callback mode (which pulls on receipt, so an async onCommit would let the whole log pile up in memory): more
 * is asked for only as commits are handled, at most WINDOW ahead, so a slow onCommit slows the walk instead.
 */
function pullAll(location: LogLocation, consumer: string, total: number, options: WalkOptions): Promise<{ commits: number; lastSeq: number }> {
  const { nc, streamName, subjectPrefix } = location;
  const idOffset = subjectPrefix.length + 1;
  const inbox = createInbox();
  const next = `$JS.API.CONSUMER.MSG.NEXT.${streamName}.${consumer}`;
  let requested = 0;
  let commits = 0;
  let lastSeq = 0;
  /** Messages received while an async onCommit is pending, handled in order once it settles. */
  const queued: Msg[] = [];
  let busy = false;
  /** The server answered a pull with fewer messages than asked: the log has no more for this walk. */
  let logEnded = false;
  return new Promise((resolve, reject) => {
    let finished = false;
    const finish = (error?: unknown) => {
      if (finished) return;
      finished = true;
      sub.unsubscribe();
      if (error === undefined) resolve({ commits, lastSeq });
      else reject(error);
    };
    const pull = () => {
      const batch = Math.min(total, commits + WINDOW) - requested;
      if (batch <= 0 || (batch < PULL_CHUNK && requested + batch < total)) return;
      requested += batch;
      nc.publish(next, JSON.stringify({ batch, no_wait: true }), { reply: inbox });
    };
    /** Hands one delivery to onCommit; false when the walk must not go on now (an async onCommit pending, or the end). */
    const handle = (m: Msg): boolean => {
      // The stream sequence is in the delivery's reply subject (the $JS.ACK token a JsMsg would parse).
      const seq = streamSeqOf(m.reply ?? '');
      if (options.untilSeq !== undefined && seq > options.untilSeq) {
        finish();
        return false;
      }
      let pending: void | Promise<void>;
      try {
        pending = options.onCommit({
          seq,
          streamId: m.subject.slice(idOffset),
          firstRevision: Number(m.headers?.get(FIRST_REVISION_HEADER) || NaN),
          eventCount: Number(m.headers?.get(EVENT_COUNT_HEADER) || NaN),
          data: m.data,
        });
      } catch (error) {
        finish(error);
        return false;
      }
      const done = () => {
        commits++;
        lastSeq = seq;
        if (commits >= total || (logEnded && queued.length === 0)) finish();
        else pull();
      };
      if (!pending) {
        done();
        return true;
      }
      busy = true;
      pending.then(() => {
        busy = false;
        done();
        drain();
      }, finish);
      return false;
    };
    const drain = () => {
      while (!busy && !finished && queued.length > 0) if (!handle(queued.shift() as Msg)) return;
    };
    // A pull asks for no more than the commits counted at the start, but a filtered consumer's count can include
    // removed messages: a no_wait pull ends with 404 (nothing left) or 408 (fewer than asked) at the log's end.
    // Any other status (409: the consumer is gone) means the walk cannot complete.
    const status = (m: Msg) => {
      const code = m.headers?.code;
      if (code !== 404 && code !== 408) return finish(new Error(`walking ${streamName}: ${code} ${m.headers?.description ?? ''}`.trim()));
      logEnded = true;
      if (!busy && queued.length === 0) finish();
    };
    // Every callback above runs on a delivery, so after `sub` is set.
    const sub = nc.subscribe(inbox, {
      callback: (error, m) => {
        if (error) return finish(error);
        if (finished) return;
        if (m.subject === inbox) return status(m);
        if (busy) queued.push(m);
        else handle(m);
      },
    });
    pull();
  });
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
