import { decideJob, streamIdOf, type EventContext, type JobCommand } from '@jobstream/domain';
import { createEventStore, handleCommand, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { startNatsServer, waitFor, type NatsServerHandle } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';
import { buildHandlerRegistry } from './handler-registry';
import { jobAggregate } from './job-events';
import { JobRunner } from './job-runner';

/*
 * Cancel of a RUNNING job through the real runner and a real JetStream store: a handler that stops on
 * ctx.signal runs its onCancelled, then is confirmed `cancelled {abandoned: false}`; one that ignores the
 * signal is abandoned after the grace period and recorded `cancelled {abandoned: true}`. No built-in
 * handler ignores its signal, so this cannot be shown end to end.
 */
const TENANT = 'acme';
/** Per job, the event types in its log when its onCancelled ran: the hook runs before `job.cancelled`. */
const cancelledHooks = new Map<string, string[]>();
const recordHook = async (jobId: string) => cancelledHooks.set(jobId, (await eventsOf(jobId)).map((e) => e.type));

@JobHandler('polite')
class PoliteHandler implements JobHandler {
  execute(ctx: JobContext): Promise<JobOutcome> {
    return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))));
  }
  async onCancelled(ctx: JobContext): Promise<void> {
    await recordHook(ctx.jobId);
  }
}

@JobHandler('stubborn')
class StubbornHandler implements JobHandler {
  // Ignores ctx.signal and never settles: the runner must give up on it.
  execute(): Promise<JobOutcome> {
    return new Promise(() => undefined);
  }
  async onCancelled(ctx: JobContext): Promise<void> {
    await recordHook(ctx.jobId);
  }
}

let server: NatsServerHandle;
let nc: NatsConnection;
let store: EventStore;
let runner: JobRunner;
let ids = 0;

const context = (): EventContext => ({
  tenant: TENANT,
  now: new Date(),
  newId: () => `test-${++ids}`,
  actor: 'user:test',
  correlationId: 'corr',
  causationId: null,
});
const command = (jobId: string, cmd: JobCommand) =>
  handleCommand(store, streamIdOf(TENANT, 'job', jobId), jobAggregate, (state) => decideJob(cmd, state, context()));
const eventsOf = async (jobId: string) => (await store.read(streamIdOf(TENANT, 'job', jobId))).map(({ event }) => event);

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  store = await createEventStore(loadEventStoreConfig({ NATS_URL: server.url }), { nats: nc });
  runner = new JobRunner(
    store,
    nc,
    { executorId: 'exec-t', host: 'test', capacity: 4, types: null, cancelGraceMs: 300, startGraceMs: 50 },
    buildHandlerRegistry([PoliteHandler, StubbornHandler], null),
    { submit: async () => 'child' },
    { log: () => undefined, warn: () => undefined },
  );
});

afterAll(async () => {
  await store?.close();
  await nc?.close();
  await server?.stop();
});

async function runAndCancel(jobId: string, type: string) {
  const submitted = await command(jobId, { type: 'submit', jobId, jobType: type, payload: {} });
  const run = runner.run({ tenant: TENANT, jobId, type, causationId: submitted.events[0].eventId, correlationId: 'corr' });
  await waitFor(async () => (await eventsOf(jobId)).some((e) => e.type === 'job.started'), 10_000, 20);
  await command(jobId, { type: 'requestCancel', reason: 'test' });
  expect(runner.cancel(TENANT, jobId)).toBe(true);
  await run;
  return eventsOf(jobId);
}

it('a handler that stops on ctx.signal: its onCancelled runs, then cancelled {abandoned: false}', async () => {
  const events = await runAndCancel('p1', 'polite');
  expect(events.map((e) => e.type)).toEqual(['job.submitted', 'job.started', 'job.cancel-requested', 'job.cancelled']);
  expect(events[3]).toMatchObject({ actor: 'executor:exec-t', data: { abandoned: false, reason: 'test' } });
  expect(cancelledHooks.get('p1')).toEqual(['job.submitted', 'job.started', 'job.cancel-requested']);
});

it('a handler that ignores ctx.signal past the grace period is abandoned: cancelled {abandoned: true}', async () => {
  const events = await runAndCancel('s1', 'stubborn');
  expect(events.map((e) => e.type)).toEqual(['job.submitted', 'job.started', 'job.cancel-requested', 'job.cancelled']);
  expect(events[3]).toMatchObject({ actor: 'executor:exec-t', data: { abandoned: true } });
  expect(cancelledHooks.get('s1')).toEqual(['job.submitted', 'job.started', 'job.cancel-requested']);
  expect(runner.inFlight).toBe(0);
});
