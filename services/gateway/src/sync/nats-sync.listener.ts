import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NATS_CONNECTION, subjects } from '@jobstream/messaging';
import { JSONCodec, type Msg, type NatsConnection, type Subscription } from 'nats';
import { ApiError } from '../errors/api-error';
import { toErrorBody } from '../errors/error-mapping';
import { natsCaller } from '../auth/nats-auth';
import { SyncService } from './sync.service';

const reply = JSONCodec<object>();
const decoder = new TextDecoder();

/**
 * `jobs.sync.<tenant>.<type>` request-reply: the body of `jobs:run` (its `type` may be left out; the
 * subject names it), answered with the same JSON plus `statusCode` (200 result, 202 async-fallback,
 * 4xx/5xx error). A raw subscription in the `gateway` queue group, not Nest's envelope.
 */
@Injectable()
export class NatsSyncListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('nats-sync');
  private subscription?: Subscription;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly sync: SyncService,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.nc.subscribe(subjects.sync('*', '*'), {
      queue: 'gateway',
      callback: (error, msg) => {
        if (error) {
          this.logger.error(`sync subscription failed: ${error.message}`);
          return;
        }
        const done = this.handle(msg).finally(() => this.inFlight.delete(done));
        this.inFlight.add(done);
      },
    });
  }

  /** Runs after the sync service started draining, so the requests in flight answer 202 at once. */
  async beforeApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await Promise.all([...this.inFlight]);
  }

  private async handle(msg: Msg): Promise<void> {
    let answer: object;
    try {
      answer = await this.answer(msg);
    } catch (error) {
      const { body, internal } = toErrorBody(error);
      if (internal) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      answer = body;
    }
    if (msg.reply) msg.respond(reply.encode(answer));
  }

  private async answer(msg: Msg): Promise<object> {
    const [, , tenant, type] = msg.subject.split('.');
    let body: unknown;
    try {
      body = JSON.parse(decoder.decode(msg.data));
    } catch {
      throw ApiError.badRequest('(body)', 'malformed JSON');
    }
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const named = (body as { type?: unknown }).type;
      if (named !== undefined && named !== type) throw ApiError.badRequest('type', `type "${String(named)}" differs from the subject's "${type}"`);
      body = { ...body, type };
    }
    const { statusCode, body: result } = await this.sync.run(tenant, body, await natsCaller(msg.headers, tenant, 'Job:submit'));
    return { statusCode, ...result };
  }
}
