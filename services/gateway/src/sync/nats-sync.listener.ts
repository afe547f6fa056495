import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NATS_CONNECTION, subjects } from '@jobstream/messaging';
import type { Msg, NatsConnection } from 'nats';
import { ApiError } from '../errors/api-error';
import { natsCaller } from '../auth/nats-auth';
import { JsonRequestServer } from '../nats/json-request-server';
import { SyncService } from './sync.service';

/**
 * `jobs.sync.<tenant>.<type>` request-reply: the body of `jobs:run` (its `type` may be left out; the
 * subject names it), answered with the same JSON plus `statusCode` (200 result, 202 async-fallback,
 * 4xx/5xx error).
 */
@Injectable()
export class NatsSyncListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server: JsonRequestServer;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    private readonly sync: SyncService,
  ) {
    this.server = new JsonRequestServer(nc, subjects.sync('*', '*'), new Logger('nats-sync'), (msg, body) => this.answer(msg, body));
  }

  onApplicationBootstrap(): void {
    this.server.start();
  }

  /** Runs after the sync service started draining, so the requests in flight answer 202 at once. */
  beforeApplicationShutdown(): Promise<void> {
    return this.server.stop();
  }

  private async answer(msg: Msg, body: unknown): Promise<object> {
    const [, , tenant, type] = msg.subject.split('.');
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const named = (body as { type?: unknown }).type;
      if (named !== undefined && named !== type) throw ApiError.badRequest('type', `type "${String(named)}" differs from the subject's "${type}"`);
      body = { ...body, type };
    }
    const { statusCode, body: result } = await this.sync.run(tenant, body, await natsCaller(msg.headers, tenant, 'Job:submit'));
    return { statusCode, ...result };
  }
}
