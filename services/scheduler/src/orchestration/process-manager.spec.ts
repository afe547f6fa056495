import {
  decideOrchestrationDefinition,
  initialOrchestrationDefinitionState,
  makeEvent,
  orchestrationDefinitionStreamId,
  streamIdOf,
  type EventContext,
  type OrchestrationTaskDefinition,
  type OverlapPolicy,
} from '@jobstream/domain';
import { JetStreamEventStore } from '@jobstream/event-store';
import { OrchestrationIndex, orchestrationKeys, subjects } from '@jobstream/messaging';
import { startNatsServer, waitFor, type NatsServerHandle } from '@jobstream/testing';
import { connect, JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { SchedulerLeader } from '../lease/scheduler-leader';
import { FakeClock } from '../timers/fake-clock.test-helper';
import { taskJobId } from './task-jobs';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const codec = JSONCodec<Record<string, unknown>>();

jest.setTimeout(30_000);

describe('scheduler leadership and orchestration process manager (real nats-server, fake clock)', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  let index: OrchestrationIndex;
  let submitter: Subscription;
  const submitted: Array<{ tenant: string; body: Record<string, unknown> }> = [];
  const leaders: SchedulerLeader[] = [];
  const connections: NatsConnection[] = [];
  let tenantCount = 0;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    store = await JetStreamEventStore.start(nc);
    index = await OrchestrationIndex.open(nc);
    // Stands in for the gateway's NATS submit: accepts every job, which then runs until told otherwise.
    submitter = nc.subscribe(subjects.submit('*'), {
      callback: (_error, msg) => {
        submitted.push({ tenant: msg.subject.split('.')[2], body: codec.decode(msg.data) });
        msg.respond(codec.encode({ statusCode: 202 }));
      },
    });
  });
  afterEach(async () => {
    await Promise.all(leaders.splice(0).map((leader) => leader.stop().catch(() => undefined)));
    await Promise.all(connections.splice(0).map((c) => c.close().catch(() => undefined)));
  });
  afterAll(async () => {
    submitter.unsubscribe();
    await store.close();
    await nc.close();
    await server.stop();
  });

  /** A fresh tenant per test; the lease key is shared, so tests run their schedulers one group at a time. */
  const nextTenant = () => `pm${++tenantCount}`;

  async function scheduler(name: string, clock: FakeClock) {
    const own = await connect({ servers: server.url });
    connections.push(own);
    const ownStore = await JetStreamEventStore.start(own);
    const leader = new SchedulerLeader(ownStore, own, { holderId: name, leaseTtlMs: 300, misfireThresholdMs: 60_000 }, clock);
    leaders.push(leader);
    await leader.start();
    return { leader, nc: own };
  }

  const ctx = (tenant: string, now: number): EventContext => {
    let n = 0;
    return { tenant, now: new Date(now), newId: () => `${tenant}-${now}-${++n}-${Math.random().toString(36).slice(2)}`, actor: 'user:test', correlationId: 'test', causationId: null };
  };

  async function createDefinition(tenant: string, definition: OrchestrationTaskDefinition, now: number) {
    const events = decideOrchestrationDefinition({ type: 'create', definition }, initialOrchestrationDefinitionState, ctx(tenant, now));
    await store.append(orchestrationDefinitionStreamId(tenant, definition.id), events, 'no_stream');
  }

  const intervalDefinition = (overlapPolicy: OverlapPolicy): OrchestrationTaskDefinition => ({
    id: 'nightly',
    name: 'Nightly',
    orchestratedTasks: [{ taskId: 'import_users', taskType: 'IMPORT' }],
    executionPlan: { scheduleType: 'INTERVAL', fireTime: new Date(T0 + 60_000).toISOString(), interval: 60, overlapPolicy },
  });

  const runsOf = (tenant: string) => index.ids(`run.${tenant}.nightly`);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  async function completeJob(tenant: string, body: Record<string, unknown>, objects = { processed: 3, succeeded: 3, failed: 0 }) {
    const payload = body.payload as { runId: string; index: number };
    const launchId = String(body.idempotencyKey).split(':')[3];
    const jobId = taskJobId(tenant, payload.runId, payload.index, launchId);
    const event = makeEvent(ctx(tenant, T0), streamIdOf(tenant, 'job', jobId), 'job.completed', {
      executorId: 'test',
      jobVariables: {},
      workflowVariables: { handedOver: true },
      output: { objects },
    });
    await store.append(event.streamId, [event], 'any');
  }

  it('a standby takes over when the leader stops, and the next fire happens exactly once', async () => {
    const tenant = nextTenant();
    const clock = new FakeClock(T0);
    const a = await scheduler('a', clock);
    const b = await scheduler('b', clock);
    expect(a.leader.isLeader).toBe(true);
    expect(b.leader.isLeader).toBe(false);
    await a.leader.timerEngine?.schedule(tenant, { timerId: 'next', dueAt: new Date(T0 + 1000).toISOString(), target: { kind: 'test' } });
    await a.leader.stop();
    await waitFor(() => b.leader.isLeader, 5_000);
    clock.advance(1000);
    await waitFor(async () => (await store.read(streamIdOf(tenant, 'timer', 'next'))).length === 2, 5_000);
    await settle();
    expect((await store.read(streamIdOf(tenant, 'timer', 'next'))).map((r) => r.event.type)).toEqual(['timer.scheduled', 'timer.fired']);
  });

  it('runs a scheduled plan; overlap SKIP drops a fire while the previous run goes', async () => {
    const tenant = nextTenant();
    const clock = new FakeClock(T0);
    await scheduler('a', clock);
    await createDefinition(tenant, intervalDefinition('SKIP'), T0);
    await waitFor(async () => (await index.get(orchestrationKeys.definition(tenant, 'nightly'))) !== null, 5_000);
    await settle();
    clock.advance(60_000);
    await waitFor(async () => submitted.some((s) => s.tenant === tenant), 5_000);
    const first = submitted.find((s) => s.tenant === tenant)!;
    expect(first.body).toMatchObject({ type: 'orchestration-task', payload: { taskId: 'import_users', taskType: 'IMPORT', index: 0 } });
    clock.advance(60_000);
    await settle();
    await settle();
    expect(await runsOf(tenant)).toHaveLength(1);
    // The run ends; the next fire starts a new one.
    await completeJob(tenant, first.body);
    await waitFor(async () => (await index.ids(orchestrationKeys.runningOf(tenant, 'nightly'))).length === 0, 5_000);
    clock.advance(60_000);
    await waitFor(async () => (await runsOf(tenant)).length === 2, 5_000);
  });

  it('overlap QUEUE_ONE holds one fire back and starts it when the run ends; ALLOW runs in parallel', async () => {
    const tenant = nextTenant();
    const clock = new FakeClock(T0);
    await scheduler('a', clock);
    await createDefinition(tenant, intervalDefinition('QUEUE_ONE'), T0);
    await waitFor(async () => (await index.get(orchestrationKeys.definition(tenant, 'nightly'))) !== null, 5_000);
    await settle();
    clock.advance(60_000);
    await waitFor(async () => submitted.some((s) => s.tenant === tenant), 5_000);
    clock.advance(60_000);
    await waitFor(async () => (await index.get(orchestrationKeys.queued(tenant, 'nightly'))) !== null, 5_000);
    clock.advance(60_000);
    await settle();
    expect(await runsOf(tenant)).toHaveLength(1);
    await completeJob(tenant, submitted.find((s) => s.tenant === tenant)!.body);
    await waitFor(async () => (await runsOf(tenant)).length === 2, 5_000);
    await waitFor(async () => submitted.filter((s) => s.tenant === tenant).length === 2, 5_000);

    const parallel = nextTenant();
    await createDefinition(parallel, intervalDefinition('ALLOW'), clock.now());
    await waitFor(async () => (await index.get(orchestrationKeys.definition(parallel, 'nightly'))) !== null, 5_000);
    await settle();
    clock.advance(60_000);
    await waitFor(async () => (await runsOf(parallel)).length === 1, 5_000);
    clock.advance(60_000);
    await waitFor(async () => (await runsOf(parallel)).length === 2, 5_000);
  });

  it('a two-task chain waits for taskStartsAfter on a timer and passes workflow variables along', async () => {
    const tenant = nextTenant();
    const clock = new FakeClock(T0);
    await scheduler('a', clock);
    await createDefinition(
      tenant,
      {
        id: 'nightly',
        name: 'Nightly',
        orchestratedTasks: [
          { taskId: 'export_a', taskType: 'EXPORT' },
          { taskId: 'import_b', taskType: 'IMPORT', taskStartsAfter: '10:30' },
        ],
        executionPlan: { scheduleType: 'ONCE', fireTime: new Date(T0 + 1000).toISOString() },
      },
      T0,
    );
    await waitFor(async () => (await index.get(orchestrationKeys.definition(tenant, 'nightly'))) !== null, 5_000);
    await settle();
    clock.advance(1000);
    await waitFor(async () => submitted.filter((s) => s.tenant === tenant).length === 1, 5_000);
    await completeJob(tenant, submitted.filter((s) => s.tenant === tenant)[0].body, { processed: 10, succeeded: 9, failed: 1 });
    await settle();
    expect(submitted.filter((s) => s.tenant === tenant)).toHaveLength(1);
    clock.advance(30 * 60_000);
    await waitFor(async () => submitted.filter((s) => s.tenant === tenant).length === 2, 5_000);
    expect(submitted.filter((s) => s.tenant === tenant)[1].body).toMatchObject({ payload: { taskId: 'import_b', index: 1 }, workflowVariables: { handedOver: true } });
  });
});
