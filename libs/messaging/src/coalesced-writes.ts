import { connect, type ConnectionOptions, type NatsConnection } from 'nats';

/** The parts of nats.js's protocol handler (NatsConnectionImpl.protocol, stable across nats.js 2.x) this touches. */
interface ProtocolHandler {
  outbound: { fill(buf: Uint8Array, ...payloads: Uint8Array[]): void; size(): number };
  pendingLimit: number;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
  flushPending(): void;
}

const encoder = new TextEncoder();

/**
 * nats.js writes its outbound buffer to the socket in a microtask queued by the first command of a burst.
 * Between two publishes of a service there is usually an await, so nearly every publish, ack and request
 * became a socket write of its own: `writeBuffer` was the largest single item in the executor's CPU profile.
 * Here the buffer is written once per event-loop turn (setImmediate), after every callback of that turn has
 * added its commands, or at once when it reaches nats.js's own flush threshold (32 KiB). Commands keep their
 * order; a PING/flush() still goes out behind everything queued before it.
 */
export function coalesceWrites(nc: NatsConnection): void {
  const protocol = (nc as unknown as { protocol?: Partial<ProtocolHandler> }).protocol;
  if (!protocol?.outbound || typeof protocol.flushPending !== 'function' || typeof protocol.pendingLimit !== 'number') {
    throw new Error('this nats client has no protocol handler to coalesce writes on (nats.js 2.x expected)');
  }
  const handler = protocol as ProtocolHandler;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    handler.flushPending();
  };
  handler.sendCommand = (cmd, ...payloads) => {
    handler.outbound.fill(typeof cmd === 'string' ? encoder.encode(cmd) : cmd, ...payloads);
    if (handler.outbound.size() >= handler.pendingLimit) handler.flushPending();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

/**
 * A connection as every service makes it: writes coalesced (above), and no async stack trace captured per
 * request (nats.js's default costs a stack capture on the hot path; profiled).
 */
export async function connectForService(options: ConnectionOptions): Promise<NatsConnection> {
  const nc = await connect({ ...options, noAsyncTraces: true });
  coalesceWrites(nc);
  return nc;
}
