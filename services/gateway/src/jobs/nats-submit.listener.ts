import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NATS_CONNECTION, subjects } from '@jobstream/messaging';
import { JSONCodec, type Msg, type NatsConnection, type Subscription } from 'nats';
import { ApiError } from '../errors/api-error';
import { toErrorBody } from '../errors/error-mapping';
import { natsCaller } from '../auth/nats-auth';
import { JobsService } from './jobs.service';

const SUBMIT_PREFIX = subjects.submit('');
const reply = JSONCodec<object>();
const decoder = new TextDecoder();

const isBatch = (body: unknown): boolean => typeof body === 'object' && body !== null && 'jobs' in body;

/**
 * `jobs.submit.<tenant>` request-reply for services that speak NATS (the executor's child jobs).
 * A raw subscription rather than @MessagePattern: Nest patterns cannot hold a wildcard, and callers
 * send the plain REST body, not Nest's envelope. The reply is the REST answer plus `statusCode`.
 */
@Injectable()
export class NatsSubmitListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('nats-submit');
  private subscription?: Subscription;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly jobs: JobsService,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.nc.subscribe(subjects.submit('*'), {
      queue: 'gateway',
      callback: (error, msg) => {
        if (error) {
          this.logger.error(`submit subscription failed: ${error.message}`);
          return;
        }
        const done = this.handle(msg).finally(() => this.inFlight.delete(done));
        this.inFlight.add(done);
      },
    });
  }

  /** Stops taking submits, then lets the ones already accepted answer before the connection drains. */
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
    const tenant = msg.subject.slice(SUBMIT_PREFIX.length);
    let body: unknown;
    try {
      body = JSON.parse(decoder.decode(msg.data));
    } catch {
      throw ApiError.badRequest('(body)', 'malformed JSON');
    }
    const caller = await natsCaller(msg.headers, tenant, 'Job:submit');
    const answer = isBatch(body) ? await this.jobs.submitBatch(tenant, body, caller) : await this.jobs.submit(tenant, body, caller);
    return { statusCode: 202, ...answer };
  }
}
