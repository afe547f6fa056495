import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NATS_CONNECTION, subjects } from '@jobstream/messaging';
import type { Msg, NatsConnection } from 'nats';
import { natsCaller } from '../auth/nats-auth';
import { JsonRequestServer } from '../nats/json-request-server';
import { JobsService } from './jobs.service';

const SUBMIT_PREFIX = subjects.submit('');

const isBatch = (body: unknown): boolean => typeof body === 'object' && body !== null && 'jobs' in body;

/**
 * `jobs.submit.<tenant>` request-reply for services that speak NATS (the executor's child jobs):
 * the plain REST body (one job, or {jobs:[...]} for a batch); the reply is the REST answer plus `statusCode`.
 */
@Injectable()
export class NatsSubmitListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server: JsonRequestServer;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    private readonly jobs: JobsService,
  ) {
    this.server = new JsonRequestServer(nc, subjects.submit('*'), new Logger('nats-submit'), (msg, body) => this.answer(msg, body));
  }

  onApplicationBootstrap(): void {
    this.server.start();
  }

  /** Stops taking submits, then lets the ones already accepted answer before the connection drains. */
  beforeApplicationShutdown(): Promise<void> {
    return this.server.stop();
  }

  private async answer(msg: Msg, body: unknown): Promise<object> {
    const tenant = msg.subject.slice(SUBMIT_PREFIX.length);
    const caller = await natsCaller(msg.headers, tenant, 'Job:submit');
    const answer = isBatch(body) ? await this.jobs.submitBatch(tenant, body, caller) : await this.jobs.submit(tenant, body, caller);
    return { statusCode: 202, ...answer };
  }
}
