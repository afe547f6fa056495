import { request } from '@jobstream/messaging';
import { ErrorCode, NatsError, type MsgHdrs, type NatsConnection } from 'nats';

/** What the store reads of one stored message. */
export interface StoredCommitMsg {
  seq: number;
  header: MsgHdrs;
  data: Uint8Array;
}

export type MessageQuery = { seq: number; next_by_subj?: string } | { last_by_subj: string };

/**
 * One stored message by sequence, by subject after a sequence, or a subject's last: the direct-get API (any
 * replica answers) and the leader-only message-get API (`jsm.streams`) both have this shape.
 */
export interface MessageGet {
  getMessage(stream: string, query: MessageQuery): Promise<StoredCommitMsg>;
}

/** nats.js's JetStream API default. */
const API_TIMEOUT_MS = 5_000;
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * The direct-get API through messaging's request(): nats.js's `jsm.direct.getMessage` goes through its own
 * request, which builds a NatsError (a stack capture) after every successful reply, and through its API
 * client's per-call option handling; every executor job read starts with one of these. Same wire format,
 * same errors (a missing message is NatsError code 404).
 */
export class DirectGet implements MessageGet {
  constructor(private readonly nc: NatsConnection) {}

  async getMessage(stream: string, query: MessageQuery): Promise<StoredCommitMsg> {
    // As nats.js does: a subject's last message is asked for on a subject of its own (permissions can scope it).
    const subject = 'last_by_subj' in query ? `$JS.API.DIRECT.GET.${stream}.${query.last_by_subj}` : `$JS.API.DIRECT.GET.${stream}`;
    const reply = await request(this.nc, subject, 'last_by_subj' in query ? EMPTY : encoder.encode(JSON.stringify(query)), { timeout: API_TIMEOUT_MS });
    const header = reply.headers;
    if (!header) throw new NatsError('direct get answered without headers', ErrorCode.JetStreamInvalidAck);
    // A JetStream status (404 no message, 408, …) comes as an empty message with a status code.
    if (reply.data.length === 0 && header.code >= 300) {
      throw new NatsError(header.description.toLowerCase(), header.code === 404 ? ErrorCode.JetStream404NoMessages : String(header.code));
    }
    const seq = Number(header.last('Nats-Sequence'));
    if (!Number.isSafeInteger(seq)) throw new NatsError('direct get answered without Nats-Sequence', ErrorCode.JetStreamInvalidAck);
    return { seq, header, data: reply.data };
  }
}
