import { randomUUID } from 'node:crypto';
import { JSONCodec, NatsConnection } from 'nats';
import { request } from './request';

const codec = JSONCodec<unknown>();

/** An error a remote handler returned (RpcException payload, or Nest's generic error). */
export class RpcError extends Error {
  constructor(readonly payload: unknown) {
    super(typeof payload === 'object' && payload && 'message' in payload ? String(payload.message) : JSON.stringify(payload));
    this.name = 'RpcError';
  }
}

/**
 * Calls a Nest `@MessagePattern` handler over NATS request-reply with the raw client:
 * Nest wraps requests as {pattern, data, id} and answers {response} or {err}.
 */
export async function rpc<T>(nc: NatsConnection, subject: string, data: unknown, timeoutMs = 5000): Promise<T> {
  const reply = await request(nc, subject, codec.encode({ pattern: subject, data, id: randomUUID() }), { timeout: timeoutMs });
  const packet = codec.decode(reply.data) as { response?: T; err?: unknown };
  if (packet.err !== undefined && packet.err !== null) throw new RpcError(packet.err);
  return packet.response as T;
}
