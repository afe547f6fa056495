import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { decideJob, evolveJob, initialJobState, streamIdOf, type EventContext, type JobCommand, type JobEvent, type JobState } from '@jobstream/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@jobstream/event-store';
import { NATS_CONNECTION } from '@jobstream/messaging';
import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import type { NatsConnection } from 'nats';
import { configureHttp, type HttpLimits } from '../src/errors/http-setup';

export interface TestGateway {
  app: INestApplication;
  baseUrl: string;
  server: NatsServerHandle;
  store: EventStore;
  nc: NatsConnection;
  /** fetch against the gateway with JSON in and out. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  /** Every event of one job's stream, as stored. */
  eventsOf(tenant: string, jobId: string): Promise<RecordedEvent[]>;
  /** Runs commands through the domain and appends what they decide, as another service would. */
  drive(tenant: string, jobId: string, commands: JobCommand[]): Promise<JobState>;
  stop(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // Tests read arbitrary JSON answers; each assertion states the shape it expects.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A real nats-server, the real JetStream store, and the gateway as main.ts wires it, on a free port. */
export async function startGateway(limits?: HttpLimits): Promise<TestGateway> {
  const server = await startNatsServer();
  process.env.NATS_URL = server.url;
  process.env.LOG_LEVEL = 'silent';
  // Imported after the environment is set: the logger module reads LOG_LEVEL when it is defined.
  const { GatewayModule } = await import('../src/app.module');
  const { HTTP_APP_OPTIONS } = await import('../src/errors/http-setup');
  const app = await NestFactory.create(GatewayModule, { ...HTTP_APP_OPTIONS, logger: false });
  configureHttp(app, limits);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const store = app.get<EventStore>(EVENT_STORE);
  const nc = app.get<NatsConnection>(NATS_CONNECTION);

  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json', ...headers };
    }
    const res = await fetch(`${baseUrl}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
  };

  const eventsOf = (tenant: string, jobId: string) => store.read(streamIdOf(tenant, 'job', jobId));

  const drive = async (tenant: string, jobId: string, commands: JobCommand[]) => {
    const recorded = await eventsOf(tenant, jobId);
    let state = recorded.reduce((s, r) => evolveJob(s, r.event as JobEvent), initialJobState);
    for (const command of commands) {
      const ctx: EventContext = { tenant, now: new Date(), newId: randomUUID, actor: 'service:test', correlationId: randomUUID(), causationId: null };
      const events = decideJob(command, state, ctx);
      await store.append(streamIdOf(tenant, 'job', jobId), events, state.version === 0 ? 'no_stream' : state.version - 1);
      state = events.reduce(evolveJob, state);
    }
    return state;
  };

  return {
    app,
    baseUrl,
    server,
    store,
    nc,
    request,
    eventsOf,
    drive,
    stop: async () => {
      await app.close();
      await server.stop();
    },
  };
}
