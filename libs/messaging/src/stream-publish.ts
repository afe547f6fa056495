import { headers as natsHeaders, NatsError, type ApiError, type Msg, type MsgHdrs, type NatsConnection, type PubAck } from 'nats';
import { request } from './request';

const decoder = new TextDecoder();
const PUBLISH_TIMEOUT_MS = 5_000;

/** A JetStream publish answer: the ack, or the API error (as a NatsError carrying `api_error`) that callers branch on. */
export function pubAckOf(m: Msg): PubAck {
  const answer = JSON.parse(decoder.decode(m.data)) as Partial<PubAck> & { error?: ApiError };
  if (answer.error) {
    const error = new NatsError(answer.error.description, String(answer.error.code));
    error.api_error = answer.error;
    throw error;
  }
  if (!answer.stream || typeof answer.seq !== 'number') throw new Error('invalid JetStream publish acknowledgement');
  return { stream: answer.stream, seq: answer.seq, duplicate: answer.duplicate === true, domain: answer.domain };
}

/**
 * A JetStream publish (the same wire message as js.publish) through messaging's request: no per-call option
 * handling and no error object per successful publish, for the publishes made once per job.
 */
export function publishToStream(nc: NatsConnection, subject: string, data: Uint8Array, h: MsgHdrs = natsHeaders()): Promise<PubAck> {
  return request(nc, subject, data, { headers: h, timeout: PUBLISH_TIMEOUT_MS }).then(pubAckOf);
}
