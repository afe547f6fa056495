import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import { PROJECTOR_QUERIES, type DefinitionSummary, type JobPage, type JobStats, type JobSummary, type ProjectorStatus } from '@jobstream/contracts';
import { createEventStore, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { bootstrapService, rpc, RpcError, subjects } from '@jobstream/messaging';
import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { HistoryWriter } from './projector.test-helper';
import { ReadModel } from './read-model/read-model';

let server: NatsServerHandle;
let nc: NatsConnection;
let store: EventStore;
let app: INestMicroservice | undefined;
let dir: string;
let w: HistoryWriter;

const query = <T>(name: string, data: unknown) => rpc<T>(nc, subjects.query(name), data);

async function rejection(name: string, data: unknown): Promise<unknown> {
  try {
    await query(name, data);
  } catch (error) {
    if (error instanceof RpcError) return error.payload;
    throw error;
  }
  throw new Error(`${name} answered instead of rejecting`);
}

async function caughtUp(): Promise<void> {
  while ((await query<ProjectorStatus>(PROJECTOR_QUERIES.status, {})).position !== w.lastPosition) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  server = await startNatsServer();
  dir = mkdtempSync(join(tmpdir(), 'projector-app-'));
  Object.assign(process.env, {
    NATS_URL: server.url,
    PROJECTOR_DB: join(dir, 'projector.sqlite'),
    EVENT_STREAM_NAME: 'PROJECTOR_APP',
    EVENT_SUBJECT_PREFIX: 'app',
    LOG_LEVEL: 'silent',
  });
  nc = await connect({ servers: server.url });
  store = await createEventStore(loadEventStoreConfig(process.env), { nats: nc });
  w = new HistoryWriter(store);
  await w.job('acme', 'a1', { type: 'submit', jobId: 'a1', jobType: 'resize', payload: {} });
  await w.job('acme', 'a1', { type: 'start', executorId: 'exec-1' });
  await w.job('acme', 'a2', { type: 'submit', jobId: 'a2', jobType: 'report', payload: {}, definitionId: 'daily' });
  await w.job('acme', 'a3', { type: 'submit', jobId: 'a3', jobType: 'resize', payload: {} });
  await w.definition('acme', 'daily', {
    type: 'create',
    definitionId: 'daily',
    name: 'Daily report',
    description: '',
    jobType: 'report',
    configuration: null,
    schedule: { kind: 'interval', everyMs: 86_400_000 },
    enabled: true,
  });

  // The env is read while the module's decorators run, so the module is loaded only now.
  const { ProjectorModule } = await import('./app.module');
  app = await bootstrapService('projector', ProjectorModule);
  await caughtUp();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await nc?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('projector queries over NATS', () => {
  it('lists, pages, gets and counts jobs', async () => {
    const page = await query<JobPage>(PROJECTOR_QUERIES.jobsList, { tenant: 'acme', limit: 2 });
    expect(page.items.map((j) => j.jobId)).toEqual(['a3', 'a2']);
    const next = await query<JobPage>(PROJECTOR_QUERIES.jobsList, { tenant: 'acme', limit: 2, cursor: page.nextCursor });
    expect(next).toEqual({ items: [expect.objectContaining({ jobId: 'a1', status: 'RUNNING', executorId: 'exec-1' })], nextCursor: null });

    const filtered = await query<JobPage>(PROJECTOR_QUERIES.jobsList, { tenant: 'acme', type: 'resize', status: 'QUEUED' });
    expect(filtered.items.map((j) => j.jobId)).toEqual(['a3']);
    const byDefinition = await query<JobPage>(PROJECTOR_QUERIES.jobsList, { tenant: 'acme', definitionId: 'daily' });
    expect(byDefinition.items.map((j) => j.jobId)).toEqual(['a2']);

    expect(await query<JobSummary | null>(PROJECTOR_QUERIES.jobsGet, { tenant: 'acme', jobId: 'a2' })).toMatchObject({
      jobId: 'a2',
      type: 'report',
      status: 'QUEUED',
      definitionId: 'daily',
      progress: { percent: 0, message: '' },
    });
    expect(await query(PROJECTOR_QUERIES.jobsGet, { tenant: 'acme', jobId: 'nope' })).toBeNull();

    const stats = await query<JobStats>(PROJECTOR_QUERIES.jobsStats, { tenant: 'acme' });
    expect(stats.byStatus).toMatchObject({ QUEUED: 2, RUNNING: 1, COMPLETED: 0 });
    expect(stats.byType.resize).toMatchObject({ QUEUED: 1, RUNNING: 1 });
  });

  it('lists and gets definitions, and reports its checkpoint', async () => {
    const list = await query<DefinitionSummary[]>(PROJECTOR_QUERIES.definitionsList, { tenant: 'acme' });
    expect(list).toEqual([
      {
        definitionId: 'daily',
        tenant: 'acme',
        name: 'Daily report',
        description: '',
        type: 'report',
        status: 'Ready',
        enabled: true,
        schedule: { kind: 'interval', everyMs: 86_400_000 },
        lastRunResult: null,
        lastRunTime: null,
        nextRunTime: null,
        activeOnHost: null,
        currentJobId: null,
      },
    ]);
    expect(await query(PROJECTOR_QUERIES.definitionsGet, { tenant: 'acme', definitionId: 'daily' })).toEqual(list[0]);
    expect(await query(PROJECTOR_QUERIES.definitionsGet, { tenant: 'acme', definitionId: 'other' })).toBeNull();
    expect(await query<ProjectorStatus>(PROJECTOR_QUERIES.status, {})).toEqual({
      position: w.lastPosition,
      eventsApplied: w.events,
      batchesApplied: w.commits,
      lastEventAt: expect.any(String),
      subscribed: true,
    });
  });

  it.each([
    ['jobs.list without tenant', PROJECTOR_QUERIES.jobsList, {}, 'tenant'],
    ['an unknown status', PROJECTOR_QUERIES.jobsList, { tenant: 'acme', status: 'DONE' }, 'status'],
    ['a limit over 500', PROJECTOR_QUERIES.jobsList, { tenant: 'acme', limit: 501 }, 'limit'],
    ['since that is no date', PROJECTOR_QUERIES.jobsList, { tenant: 'acme', since: 'yesterday' }, 'since'],
    ['a forged cursor', PROJECTOR_QUERIES.jobsList, { tenant: 'acme', cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
    ['an unknown field', PROJECTOR_QUERIES.jobsList, { tenant: 'acme', sort: 'asc' }, 'sort'],
    ['jobs.get without jobId', PROJECTOR_QUERIES.jobsGet, { tenant: 'acme' }, 'jobId'],
    ['a tenant with a dot', PROJECTOR_QUERIES.jobsStats, { tenant: 'ac.me' }, 'tenant'],
  ])('answers 400 for %s', async (_name, name, data, field) => {
    expect(await rejection(name, data)).toEqual({ status: 400, field, message: expect.any(String) });
  });

  it('closes with its checkpoint stored next to the rows, for the next start to resume from', async () => {
    await w.job('acme', 'a3', { type: 'start', executorId: 'exec-2' });
    await caughtUp();
    await app?.close();
    app = undefined;
    const readModel = ReadModel.open(process.env.PROJECTOR_DB as string);
    expect(readModel.checkpoint()).toBe(w.lastPosition);
    expect(readModel.getJob('acme', 'a3')?.status).toBe('RUNNING');
    readModel.close();
  });
});
