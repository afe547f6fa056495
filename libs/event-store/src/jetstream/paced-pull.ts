import { createInbox, JSONCodec, nanos, type Msg, type MsgHdrs, type NatsConnection } from 'nats';

/** A commit as a subscription's consumer delivers it: the fields of a JetStream message the subscription reads. */
export interface DeliveredCommit {
  subject: string;
  /** Stream sequence. */
  seq: number;
  headers?: MsgHdrs;
  data: Uint8Array;
  info: { deliverySequence: number };
}

export interface CommitSource extends AsyncIterable<DeliveredCommit> {
  stop(): void;
}

/** Commits one busy pull may bring. */
const BATCH = 256;
/** An unanswered pull (lost with a restarted server or its node) counts as a broken consumer after its expiry and this. */
const ANSWER_GRACE_MS = 2_000;
const requests = JSONCodec();

/**
 * The sequences are in the reply subject, `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<delivery seq>.<time>.<pending>`
 * (newer servers insert tokens up front, so they are counted from the end).
 */
function commitOf(msg: Msg): DeliveredCommit | undefined {
  const tokens = msg.reply?.split('.') ?? [];
  if (tokens.length < 9 || tokens[1] !== 'ACK') return undefined;
  const seq = Number(tokens[tokens.length - 4]);
  const deliverySequence = Number(tokens[tokens.length - 3]);
  return { subject: msg.subject, seq, headers: msg.headers, data: msg.data, info: { deliverySequence } };
}

/**
 * Reads a pull consumer in batches, at most one pull every `windowMs` while commits keep coming: a follower
 * that needs no instant reaction then wakes once per window, not once per commit. On our virtual machines a
 * wake-up costs a process 0.15-0.3 ms of CPU before any work (docs/sync-jobs.md), more than most commits
 * cost to apply. When a pull comes back empty the source long-polls for the next commit, which is delivered
 * at once: an idle follower is not woken by timers, and a commit after a quiet spell waits for no window.
 * Commits come in order; the caller checks the delivery sequence as with the client's consume().
 */
export function pacedPull(nc: NatsConnection, streamName: string, consumerName: string, windowMs: number, expiresMs: number): CommitSource {
  const api = `$JS.API.CONSUMER.MSG.NEXT.${streamName}.${consumerName}`;
  const inbox = createInbox();
  const queue: DeliveredCommit[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let stopped = false;
  let wanted = 0;
  let received = 0;
  let nextPull: NodeJS.Timeout | undefined;
  let unanswered: NodeJS.Timeout | undefined;

  const signal = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const fail = (error: Error) => {
    failure ??= error;
    signal();
  };
  const pull = (busy: boolean) => {
    nextPull = undefined;
    if (stopped) return;
    wanted = busy ? BATCH : 1;
    received = 0;
    clearTimeout(unanswered);
    unanswered = setTimeout(() => fail(new Error(`pull on ${consumerName} went unanswered`)), expiresMs + ANSWER_GRACE_MS);
    // Busy: whatever arrived since the last pull, at once. Idle: wait for the next commit.
    nc.publish(api, requests.encode(busy ? { batch: BATCH, no_wait: true } : { batch: 1, expires: nanos(expiresMs) }), { reply: inbox });
  };
  // The pull is over: after a full batch the next one goes at once (the log is ahead), after some commits it
  // waits out the window, after none it long-polls.
  const pulled = () => {
    clearTimeout(unanswered);
    if (received === BATCH) pull(true);
    else if (received > 0) nextPull = setTimeout(() => pull(true), windowMs);
    else pull(false);
  };

  const subscription = nc.subscribe(inbox, {
    callback: (error, msg: Msg) => {
      if (error) return fail(error);
      const code = msg.headers?.code ?? 0;
      if (code === 0) {
        const commit = commitOf(msg);
        if (!commit) return fail(new Error(`pull on ${consumerName} got a message that is no delivery: ${msg.reply}`));
        queue.push(commit);
        signal();
        if (++received === wanted) pulled();
      } else if (code === 404 || code === 408) {
        // 404: nothing waited (no_wait); 408: the pull expired or no_wait took what there was.
        pulled();
      } else if (code !== 100) {
        fail(new Error(`pull on ${consumerName} ended: ${code} ${msg.headers?.description ?? ''}`.trim()));
      }
    },
  });
  pull(false);

  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(nextPull);
    clearTimeout(unanswered);
    subscription.unsubscribe();
    signal();
  };

  return {
    stop,
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const next = queue.shift();
          if (next) {
            yield next;
            continue;
          }
          if (failure) throw failure;
          if (stopped) return;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        stop();
      }
    },
  };
}

