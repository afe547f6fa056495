import { Logger } from '@nestjs/common';
import { JSONCodec, type Msg, type NatsConnection, type Subscription } from 'nats';
import { ApiError } from '../errors/api-error';
import { toErrorBody } from '../errors/error-mapping';

const reply = JSONCodec<object>();
const decoder = new TextDecoder();

/** Answers a request: the parsed JSON body in, the reply (with its `statusCode`) out; throw to reject. */
export type JsonAnswer = (msg: Msg, body: unknown) => Promise<object>;

/**
 * A NATS entry point for services that speak NATS: plain JSON requests (not Nest's envelope, and on
 * wildcard subjects Nest patterns cannot hold) in the `gateway` queue group, answered with the REST
 * body plus `statusCode`, errors in the REST error shape. Stopping waits for requests in flight.
 */
export class JsonRequestServer {
  private subscription?: Subscription;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    private readonly logger: Logger,
    private readonly answer: JsonAnswer,
  ) {}

  start(): void {
    this.subscription = this.nc.subscribe(this.subject, {
      queue: 'gateway',
      callback: (error, msg) => {
        if (error) return this.logger.error(`${this.subject} subscription failed: ${error.message}`);
        const done = this.handle(msg).finally(() => this.inFlight.delete(done));
        this.inFlight.add(done);
      },
    });
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    await Promise.all([...this.inFlight]);
  }

  private async handle(msg: Msg): Promise<void> {
    let answer: object;
    try {
      answer = await this.answer(msg, parse(msg));
    } catch (error) {
      const { body, internal } = toErrorBody(error);
      if (internal) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      answer = body;
    }
    if (msg.reply) msg.respond(reply.encode(answer));
  }
}

function parse(msg: Msg): unknown {
  try {
    return JSON.parse(decoder.decode(msg.data));
  } catch {
    throw ApiError.badRequest('(body)', 'malformed JSON');
  }
}
