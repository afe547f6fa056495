import { decideJob, streamIdOf, type EventContext, type JobCommand } from '@jobstream/domain';
import { createEventStore, handleCommand, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { startNatsServer, waitFor, type NatsServerHandle } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { WORK_DUPLICATE_WINDOW_MS } from '@jobstream/messaging';
import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';
import { buildHandlerRegistry } from './handler-registry';
import { jobAggregate } from './job-events';
import { JobRunner } from './job-runner';

/*
 * `started` is held back up to startGraceMs and appended with the outcome when the handler ends first:
 * one commit instead of two. A longer handler shows RUNNING once the grace period is over; a job
 * cancelled before its start was recorded is not completed, and its handler is stopped.
 */
const TENANT = 'acme';
const GRACE_MS = 100;
let server: NatsServerHandle;
let nc: NatsConnection;
let store: EventStore;
let ids = 0;
let handlerRuns = 0;

@JobHandler('quick')
class QuickHandler implements JobHandler {
  async execute(): Promise<JobOutcome> {
    handlerRuns++;
    return { output: 'quick' };
  }
}

/** Runs until released, or until its signal aborts it. */
let release: () => void = () => undefined;
let held = 0;
@JobHandler('held')
class HeldHandler implements JobHandler {
  execute(ctx: JobContext): Promise<JobOutcome> {
    held++;
    return new Promise((resolve, reject) => {
      release = () => resolve({ output: 'held' });
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
    });
  }
}

const runnerWith = (startGraceMs: number) =>
  new JobRunner(
    store,
    nc,
    { executorId: 'exec-g', host: 'test', capacity: 4, types: null, cancelGraceMs: 300, startGraceMs },
    buildHandlerRegistry([QuickHandler, HeldHandler], null),
    { submit: async () => 'child' },
    { log: () => undefined, warn: () => undefined },
  );

const context = (): EventContext => ({
  tenant: TENANT,
  now: new Date(),
  newId: () => `grace-${++ids}`,
  actor: 'user:test',
  correlationId: 'corr',
  causationId: null,
});
const command = (jobId: string, cmd: JobCommand) =>
  handleCommand(store, streamIdOf(TENANT, 'job', jobId), jobAggregate, (state) => decideJob(cmd, state, context()));
const recorded = (jobId: string) => store.read(streamIdOf(TENANT, 'job', jobId));
const typesOf = async (jobId: string) => (await recorded(jobId)).map((r) => r.event.type);

async function submitAndRun(runner: JobRunner, jobId: string, type: string) {
  const submitted = await command(jobId, { type: 'submit', jobId, jobType: type, payload: {} });
  return runner.run({ tenant: TENANT, jobId, type, causationId: submitted.events[0].eventId, correlationId: 'corr' });
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  store = await createEventStore(loadEventStoreConfig({ NATS_URL: server.url }), { nats: nc });
});

afterAll(async () => {
  await store?.close();
  await nc?.close();
  await server?.stop();
});

it('appends started and completed in one commit when the handler ends within the grace period', async () => {
  const result = await submitAndRun(runnerWith(GRACE_MS), 'q1', 'quick');
  expect(result).toMatchObject({ kind: 'done', state: { status: 'COMPLETED', attempt: 1, lastExecutorId: 'exec-g' } });
  const events = await recorded('q1');
  expect(events.map((r) => r.event.type)).toEqual(['job.submitted', 'job.started', 'job.completed']);
  expect(events[1].position).toBe(events[2].position);
  expect(events[1].position).not.toBe(events[0].position);
  // The start keeps the time the handler began, not the time it was appended.
  expect(Date.parse(events[1].event.occurredAt)).toBeLessThanOrEqual(Date.parse(events[2].event.occurredAt));
});

it('with a grace period of 0, appends started on its own before the handler runs', async () => {
  await submitAndRun(runnerWith(0), 'q0', 'quick');
  const events = await recorded('q0');
  expect(events.map((r) => r.event.type)).toEqual(['job.submitted', 'job.started', 'job.completed']);
  expect(events[1].position).not.toBe(events[2].position);
});

it('records started once the handler outlives the grace period, and the outcome after it', async () => {
  const run = submitAndRun(runnerWith(GRACE_MS), 'h1', 'held');
  await waitFor(async () => (await typesOf('h1')).includes('job.started'), 10_000, 10);
  expect(await typesOf('h1')).toEqual(['job.submitted', 'job.started']);
  release();
  await run;
  const events = await recorded('h1');
  expect(events.map((r) => r.event.type)).toEqual(['job.submitted', 'job.started', 'job.completed']);
  expect(events[1].position).not.toBe(events[2].position);
});

it('a job cancelled before its start was recorded stays CANCELLED: the start is refused and the handler stopped', async () => {
  const before = held;
  const run = submitAndRun(runnerWith(GRACE_MS), 'c1', 'held');
  await waitFor(() => held > before, 10_000, 1);
  await command('c1', { type: 'requestCancel', reason: 'changed my mind' });
  const result = await run;
  expect(await typesOf('c1')).toEqual(['job.submitted', 'job.cancel-requested', 'job.cancelled']);
  expect(result).toMatchObject({ kind: 'done', state: { status: 'CANCELLED' } });
});

it('a second run of the same work item is refused once the first recorded its outcome', async () => {
  const runner = runnerWith(GRACE_MS);
  const before = handlerRuns;
  await submitAndRun(runner, 'q2', 'quick');
  const again = await runner.run({ tenant: TENANT, jobId: 'q2', type: 'quick', causationId: 'x', correlationId: 'corr' });
  expect(again).toMatchObject({ kind: 'done', state: { status: 'COMPLETED' } });
  expect(handlerRuns - before).toBe(1);
  expect(await typesOf('q2')).toEqual(['job.submitted', 'job.started', 'job.completed']);
});

describe('a job that became runnable longer ago than half the work stream duplicate window', () => {
  // A second copy of its work item may exist by then (published again past the window).
  const submitLongAgo = async (jobId: string, type: string) => {
    const ctx = { ...context(), now: new Date(Date.now() - WORK_DUPLICATE_WINDOW_MS) };
    const events = decideJob({ type: 'submit', jobId, jobType: type, payload: {} }, jobAggregate.initial, ctx);
    await store.append(streamIdOf(TENANT, 'job', jobId), events, 'no_stream');
    return { tenant: TENANT, jobId, type, causationId: events[0].eventId, correlationId: 'corr' };
  };

  it('starts in the log before its handler runs', async () => {
    await runnerWith(GRACE_MS).run(await submitLongAgo('old1', 'quick'));
    const events = await recorded('old1');
    expect(events.map((r) => r.event.type)).toEqual(['job.submitted', 'job.started', 'job.completed']);
    expect(events[1].position).not.toBe(events[2].position);
  });

  it('runs once when two executors take two copies of its item at the same time', async () => {
    const item = await submitLongAgo('old2', 'held');
    const before = held;
    const runs = [runnerWith(GRACE_MS).run(item), runnerWith(GRACE_MS).run(item)];
    await waitFor(() => held > before, 10_000, 1);
    await waitFor(async () => (await typesOf('old2')).includes('job.started'), 10_000, 10);
    release();
    await Promise.all(runs);
    expect(held - before).toBe(1);
    expect(await typesOf('old2')).toEqual(['job.submitted', 'job.started', 'job.completed']);
  });
});

describe('a sync job handed over unrecorded (the gateway did not append its submit)', () => {
  const prepared = (jobId: string, type: string) => decideJob({ type: 'submit', jobId, jobType: type, payload: {}, mode: 'sync', syncDeadline: new Date(Date.now() + 5_000).toISOString() }, jobAggregate.initial, context());
  const item = (jobId: string, type: string, causationId: string) => ({ tenant: TENANT, jobId, type, causationId, correlationId: 'corr' });

  it('is stored with its start and outcome in one commit, expecting no stream', async () => {
    const submitted = prepared('u1', 'quick');
    const result = await runnerWith(GRACE_MS).run(item('u1', 'quick', submitted[0].eventId), { unrecorded: submitted });
    expect(result).toMatchObject({ kind: 'done', state: { status: 'COMPLETED', mode: 'sync' } });
    const events = await recorded('u1');
    expect(events.map((r) => r.event.type)).toEqual(['job.submitted', 'job.started', 'job.completed']);
    expect(new Set(events.map((r) => r.position)).size).toBe(1);
    expect(events[0].event.eventId).toBe(submitted[0].eventId);
  });

  it('runs on the copy a fallback stored meanwhile instead of storing the submit twice', async () => {
    const submitted = prepared('u2', 'held');
    const before = held;
    const run = runnerWith(GRACE_MS).run(item('u2', 'held', submitted[0].eventId), { unrecorded: submitted });
    await waitFor(() => held > before, 10_000, 1);
    // The gateway's timeout fallback records the same submit while the handler runs, before the grace period
    // ends; from another process, so this executor's store learns of it only from the server.
    const gateway = await createEventStore(loadEventStoreConfig({ NATS_URL: server.url }));
    await gateway.append(streamIdOf(TENANT, 'job', 'u2'), submitted, 'no_stream');
    await gateway.close();
    await waitFor(async () => (await typesOf('u2')).includes('job.started'), 10_000, 10);
    release();
    await run;
    expect(await typesOf('u2')).toEqual(['job.submitted', 'job.started', 'job.completed']);
  });

  it('is stored even when this executor does not run it', async () => {
    const submitted = prepared('u3', 'unknown-type');
    const result = await runnerWith(GRACE_MS).run(item('u3', 'unknown-type', submitted[0].eventId), { unrecorded: submitted });
    expect(result).toMatchObject({ kind: 'done', state: { status: 'QUEUED' } });
    expect(await typesOf('u3')).toEqual(['job.submitted']);
  });
});
