import { createInbox, ErrorCode, NatsError, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';

export interface RequestOptions {
  timeout: number;
  headers?: MsgHdrs;
}

interface Waiting {
  resolve: (msg: Msg) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Request-reply over one reply subscription per connection, like nats.js's own muxed request, but
 * without its cost per call: nats.js builds a NatsError (stack capture) to cancel every request even
 * after a successful reply, plus a timer object and promise of its own. Measured here on loopback:
 * ~90 µs less per sequential request, a third of the CPU when pipelined. Errors are the same
 * NatsErrors (TIMEOUT, 503 no responders), made only when a request fails.
 */
class Mux {
  private readonly prefix = `${createInbox()}.`;
  private readonly waiting = new Map<string, Waiting>();
  private readonly subscription: Subscription;
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    this.subscription = nc.subscribe(`${this.prefix}*`, { callback: (error, msg) => (error ? this.failAll(error) : this.answer(msg)) });
    void this.subscription.closed.then(() => this.failAll(NatsError.errorForCode(ErrorCode.ConnectionClosed)));
  }

  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => {
      const reply = this.prefix + (this.next++).toString(36);
      const timer = setTimeout(() => {
        this.waiting.delete(reply);
        reject(NatsError.errorForCode(ErrorCode.Timeout));
      }, options.timeout);
      this.waiting.set(reply, { resolve, reject, timer });
      try {
        this.nc.publish(subject, data, { reply, headers: options.headers });
      } catch (error) {
        clearTimeout(timer);
        this.waiting.delete(reply);
        reject(error as Error);
      }
    });
  }

  private answer(msg: Msg): void {
    const waiting = this.waiting.get(msg.subject);
    if (!waiting) return; // timed out already
    this.waiting.delete(msg.subject);
    clearTimeout(waiting.timer);
    // The server answers a request nobody subscribes to with an empty 503 status message.
    if (msg.data.length === 0 && msg.headers?.code === 503) waiting.reject(NatsError.errorForCode(ErrorCode.NoResponders));
    else waiting.resolve(msg);
  }

  private failAll(error: Error): void {
    for (const [reply, waiting] of this.waiting) {
      this.waiting.delete(reply);
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
  }
}

const muxes = new WeakMap<NatsConnection, Mux>();

/** `nc.request` with a cheaper hot path (see Mux); the first call on a connection subscribes its replies. */
export function request(nc: NatsConnection, subject: string, data: Uint8Array, options: RequestOptions): Promise<Msg> {
  let mux = muxes.get(nc);
  if (mux === undefined) {
    mux = new Mux(nc);
    muxes.set(nc, mux);
  }
  return mux.request(subject, data, options);
}
