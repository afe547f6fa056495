import { createEventStore, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { startNatsServer, startSystem, waitFor, type NatsServerHandle, type RunningSystem, type ServiceProcess } from '@jobstream/testing';
import { ensureWorkStream, rpc, subjects } from '@jobstream/messaging';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { getJson, mapLimit, postJson } from './http';

/*
 * Fault tests: real processes, real nats-server(s). Every test ends by reading each job's stream from the
 * event store and asserting on it: final status, who ran it, no event twice, at most one job.completed.
 * Deadlines are short through the jobs' `timeouts` and the services' env; no assertion is on speed.
 * Each test logs one line of figures (submitted / completed / lost / duplicated) for docs/reliability.md.
 */
jest.setTimeout(600_000);

const TENANT = 'acme';
const FAST = {
  HEARTBEAT_INTERVAL_MS: '300',
  DEADLINE_CHECK_MS: '200',
  EXECUTOR_TTL_MS: '3000',
  JOB_LEASE_TTL_MS: '3000',
  WORK_ACK_WAIT_MS: '2000',
  CANCEL_GRACE_MS: '1000',
};

interface LoggedEvent {
  eventId: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

async function eventsOf(store: EventStore, jobId: string): Promise<LoggedEvent[]> {
  const recorded = await store.read(`${TENANT}.job.${jobId}`);
  return recorded.map(({ event }) => ({ eventId: event.eventId, type: event.type, actor: event.actor, data: event.data as Record<string, unknown> }));
}

const count = (events: LoggedEvent[], type: string) => events.filter((e) => e.type === type).length;

/** Lost = accepted but not COMPLETED; duplicated = an event id twice or more than one job.completed. */
async function audit(store: EventStore, jobIds: string[]) {
  const logs = await mapLimit(jobIds, 32, (jobId) => eventsOf(store, jobId));
  const completed = logs.filter((events) => count(events, 'job.completed') === 1).length;
  const duplicated = logs.filter((events) => new Set(events.map((e) => e.eventId)).size !== events.length || count(events, 'job.completed') > 1).length;
  return { logs, submitted: jobIds.length, completed, lost: jobIds.length - completed, duplicated };
}

function report(fault: string, figures: { submitted: number; completed: number; lost: number; duplicated: number }) {
  console.log(`[reliability] ${fault}: submitted=${figures.submitted} completed=${figures.completed} lost=${figures.lost} duplicated=${figures.duplicated}`);
}

async function submit(system: { gatewayUrl: string }, body: Record<string, unknown>): Promise<string> {
  const res = await postJson(`${system.gatewayUrl}/${TENANT}/api/jobs`, body);
  expect(res.status).toBe(202);
  return res.body.jobId as string;
}

/** Submits with an idempotency key, retrying through outages (connection errors, 5xx) until accepted. */
async function submitThroughFaults(gatewayUrl: string, body: Record<string, unknown>, deadlineMs = 60_000): Promise<string | null> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const res = await postJson(`${gatewayUrl}/${TENANT}/api/jobs`, body).catch(() => null);
    if (res && res.status === 202) return res.body.jobId as string;
    if (res && res.status < 500) throw new Error(`submit refused: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

async function statusOf(gatewayUrl: string, jobId: string): Promise<string | undefined> {
  const res = await getJson(`${gatewayUrl}/${TENANT}/api/jobs/${jobId}`).catch(() => null);
  return res?.body?.status;
}

/** Waits for every job to complete; on time-out shows where jobs stand and what the services said. */
async function waitAllCompleted(system: RunningSystem, jobIds: string[], timeoutMs: number): Promise<void> {
  try {
    await waitFor(() => allCompleted(system.gatewayUrl, jobIds), timeoutMs, 500);
  } catch (error) {
    const statuses = await mapLimit(jobIds, 32, (id) => statusOf(system.gatewayUrl, id));
    const byStatus = statuses.reduce<Record<string, number>>((acc, s) => ({ ...acc, [String(s)]: (acc[String(s)] ?? 0) + 1 }), {});
    const logs = system.processes.map((p) => `--- ${p.name}\n${p.output().slice(-3000)}`).join('\n');
    throw new Error(`${(error as Error).message}: ${JSON.stringify(byStatus)}\n${logs}`);
  }
}

const allCompleted = async (gatewayUrl: string, jobIds: string[]) =>
  (await mapLimit(jobIds, 32, (id) => statusOf(gatewayUrl, id))).every((s) => s === 'COMPLETED');

async function waitForEvent(store: EventStore, jobId: string, type: string, timeoutMs = 20_000): Promise<LoggedEvent[]> {
  let events: LoggedEvent[] = [];
  await waitFor(async () => {
    events = await eventsOf(store, jobId);
    return events.some((e) => e.type === type);
  }, timeoutMs, 100);
  return events;
}

/**
 * startSystem's own health wait is 30 s, too short for five Node processes on a busy 2-core machine:
 * start with no service (no wait), spawn them, and wait for /health longer.
 */
async function bootSystem(env: Record<string, string>, oneByOne = false): Promise<RunningSystem> {
  const system = await startSystem({ services: [], env });
  const nc = oneByOne ? await connect({ servers: env.NATS_URL ?? system.nats.url }) : undefined;
  try {
    for (const service of ['projector', 'lock-manager', 'scheduler', 'executor', 'gateway'] as const) {
      await system.spawn(service);
      // On a cluster each service creates its replicated streams and buckets through RAFT: one at a time.
      if (nc && service !== 'gateway') await waitFor(() => rpc(nc, subjects.health(service), {}, 1_000).then(() => true, () => false), 120_000, 250);
    }
    await waitFor(async () => (await fetch(`${system.gatewayUrl}/health`).catch(() => null))?.ok === true, 150_000, 250);
  } catch (error) {
    await nc?.close();
    const logs = system.processes.map((p) => `--- ${p.name}\n${p.output().slice(-2000)}`).join('\n');
    await system.stop();
    throw new Error(`system did not become healthy: ${(error as Error).message}\n${logs}`);
  }
  await nc?.close();
  return system;
}

const ownerOf = (events: LoggedEvent[]) => [...events].reverse().find((e) => e.type === 'job.started' || e.type === 'job.resumed')?.data.executorId as string;

describe('faults on one nats-server (real processes)', () => {
  let system: RunningSystem;
  let store: EventStore;
  const executors = new Map<string, ServiceProcess>();

  const startExecutor = async (id: string) => executors.set(id, await system.spawn('executor', { EXECUTOR_ID: id }, id));
  const executorIds = async () =>
    ((await getJson(`${system.gatewayUrl}/${TENANT}/api/executors`)).body.items as { executorId: string }[]).map((e) => e.executorId).sort();

  beforeAll(async () => {
    // Every service must be up for the gateway's /health; the first executor gets its id from the env.
    system = await bootSystem({ ...FAST, EXECUTOR_ID: 'exec-a' });
    executors.set('exec-a', system.processes.find((p) => p.name === 'executor') as ServiceProcess);
    store = await createEventStore(loadEventStoreConfig({ NATS_URL: system.nats.url }));
    await waitFor(async () => (await executorIds()).includes('exec-a'), 20_000, 100);
  });

  afterAll(async () => {
    await store?.close();
    await system?.stop();
  });

  it('SIGSTOP past the first deadline, SIGCONT before the second: the executor resumes, the job completes once', async () => {
    const jobId = await submit(system, { type: 'delay', payload: { delay: 'PT4S' }, timeouts: { firstDeadlineMs: 1500, secondDeadlineMs: 60_000 } });
    await waitForEvent(store, jobId, 'job.started');
    const a = executors.get('exec-a') as ServiceProcess;
    a.process.kill('SIGSTOP');
    try {
      await waitForEvent(store, jobId, 'job.timed-out');
    } finally {
      a.process.kill('SIGCONT');
    }
    await waitFor(() => allCompleted(system.gatewayUrl, [jobId]), 30_000, 100);

    const figures = await audit(store, [jobId]);
    const types = figures.logs[0].map((e) => e.type);
    expect(types.indexOf('job.timed-out')).toBeLessThan(types.indexOf('job.resumed'));
    expect(figures.logs[0].find((e) => e.type === 'job.resumed')?.data.executorId).toBe('exec-a');
    expect(count(figures.logs[0], 'job.step-completed')).toBe(1);
    expect(figures).toMatchObject({ completed: 1, lost: 0, duplicated: 0 });
    report('SIGSTOP past the first deadline, SIGCONT before the second', figures);
  });

  it('kill -9 of the executor running a job: another executor takes it over; its completed step is not rerun', async () => {
    await startExecutor('exec-b');
    await waitFor(async () => (await executorIds()).join() === 'exec-a,exec-b', 20_000, 100);
    const jobId = await submit(system, { type: 'delay', payload: { delay: 'PT5S' }, timeouts: { firstDeadlineMs: 1500, secondDeadlineMs: 60_000 } });
    const owner = ownerOf(await waitForEvent(store, jobId, 'job.step-completed'));
    await system.stopProcess(executors.get(owner) as ServiceProcess, 'SIGKILL');
    await waitFor(() => allCompleted(system.gatewayUrl, [jobId]), 30_000, 100);
    // The registry forgets the dead executor within its TTL, without anyone's help.
    await waitFor(async () => !(await executorIds()).includes(owner), 20_000, 200);

    const figures = await audit(store, [jobId]);
    const events = figures.logs[0];
    const other = owner === 'exec-a' ? 'exec-b' : 'exec-a';
    expect(events.filter((e) => e.type === 'job.started').map((e) => e.data.executorId)).toEqual([owner, other]);
    expect(events.find((e) => e.type === 'job.timed-out')?.actor).toBe('watcher');
    expect(events.filter((e) => e.type === 'job.step-completed').map((e) => e.data.name)).toEqual(['due-at']);
    expect(events.find((e) => e.type === 'job.completed')?.data.executorId).toBe(other);
    expect(figures).toMatchObject({ completed: 1, lost: 0, duplicated: 0 });
    report('kill -9 an executor mid-job', figures);

    await startExecutor(owner);
  });

  it('an executor restarted with the same id times out the jobs it still owned first, then they complete', async () => {
    // A first deadline far away: only the restarted executor's own start-up can time the job out in time.
    const jobId = await submit(system, { type: 'delay', payload: { delay: 'PT3S' }, timeouts: { firstDeadlineMs: 600_000, secondDeadlineMs: 1_200_000 } });
    const owner = ownerOf(await waitForEvent(store, jobId, 'job.step-completed'));
    await system.stopProcess(executors.get(owner) as ServiceProcess, 'SIGKILL');
    await startExecutor(owner);
    await waitFor(() => allCompleted(system.gatewayUrl, [jobId]), 40_000, 100);

    const figures = await audit(store, [jobId]);
    const timedOut = figures.logs[0].find((e) => e.type === 'job.timed-out');
    expect(timedOut?.actor).toBe(`executor:${owner}`);
    expect(count(figures.logs[0], 'job.step-completed')).toBe(1);
    expect(figures).toMatchObject({ completed: 1, lost: 0, duplicated: 0 });
    report('kill -9 and restart an executor with the same id', figures);
  });

  it('duplicate deliveries forced by ack timeouts, and work items published again by hand, change nothing', async () => {
    const jobIds = await mapLimit([...Array(120).keys()], 40, () => submit(system, { type: 'delay', payload: { delay: 'PT2S' } }));
    await waitFor(async () => (await mapLimit(jobIds.slice(0, 20), 10, (id) => statusOf(system.gatewayUrl, id))).some((s) => s === 'RUNNING'), 20_000, 50);
    // Paused for more than twice WORK_ACK_WAIT_MS: JetStream redelivers its unacked items to the other executor.
    const paused = executors.get('exec-a') as ServiceProcess;
    paused.process.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 5_000));
    paused.process.kill('SIGCONT');
    await waitFor(() => allCompleted(system.gatewayUrl, jobIds), 90_000, 250);

    const nc = await connect({ servers: system.nats.url });
    const work = JSONCodec();
    for (const jobId of jobIds.slice(0, 30)) {
      nc.publish('work.delay', work.encode({ tenant: TENANT, jobId, type: 'delay', causationId: `again-${jobId}`, correlationId: `again-${jobId}` }));
    }
    await nc.flush();
    const jsm = await nc.jetstreamManager();
    await waitFor(async () => {
      const info = await jsm.consumers.info('JOBSTREAM_WORK', 'work-delay');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, 30_000, 100);
    await nc.close();

    const figures = await audit(store, jobIds);
    for (const events of figures.logs) {
      expect(count(events, 'job.started')).toBe(1);
      expect(count(events, 'job.completed')).toBe(1);
    }
    expect(figures).toMatchObject({ submitted: 120, completed: 120, lost: 0, duplicated: 0 });
    report('duplicate deliveries (ack timeouts + republished items)', figures);
  });

  it('kill -9 and restart of nats-server under load: every accepted job completes, no event twice', async () => {
    const total = 200;
    let accepted = 0;
    const submitting = mapLimit([...Array(total).keys()], 20, async (i) => {
      const jobId = await submitThroughFaults(system.gatewayUrl, { type: 'echo', payload: { i }, idempotencyKey: `nats-crash-${i}` });
      if (jobId) accepted += 1;
      return jobId;
    });
    await waitFor(() => accepted >= 50, 30_000, 20);
    await system.nats.kill();
    await new Promise((r) => setTimeout(r, 1_500));
    await system.nats.restart();
    const jobIds = (await submitting).filter((id): id is string => id !== null);
    await waitAllCompleted(system, jobIds, 120_000);

    const figures = await audit(store, jobIds);
    expect(figures).toMatchObject({ submitted: total, completed: total, lost: 0, duplicated: 0 });
    report('kill -9 and restart nats-server under load', figures);
  });
});

/** Where each consumer of these streams lives and how far it got, to show which reader stalled. */
async function consumersOf(nc: NatsConnection, streams: string[]): Promise<string> {
  const jsm = await nc.jetstreamManager();
  const lines: string[] = [];
  for (const stream of streams) {
    const last = (await jsm.streams.info(stream)).state.last_seq;
    for await (const c of jsm.consumers.list(stream)) {
      lines.push(`${stream} last=${last} ${c.name} filter=${c.config.filter_subject ?? c.config.filter_subjects} leader=${c.cluster?.leader} delivered=${c.delivered.stream_seq} pending=${c.num_pending} ack_pending=${c.num_ack_pending} waiting=${c.num_waiting}`);
    }
  }
  return lines.join('\n');
}

// Part of the suite: 11 of 11 runs of the final code passed (3 stalls in 17 earlier runs came before the last
// subscription fixes; docs/reliability.md, the 3-node cluster). JOBSTREAM_CLUSTER_TESTS=0 skips it.
const clusterDescribe = process.env.JOBSTREAM_CLUSTER_TESTS === '0' ? describe.skip : describe;

clusterDescribe('a 3-node nats-server cluster (JETSTREAM_REPLICAS=3)', () => {
  const nodes: NatsServerHandle[] = [];
  let system: RunningSystem;
  let store: EventStore;
  let admin: NatsConnection;

  beforeAll(async () => {
    const { freePort } = await import('@jobstream/testing');
    const routePorts = [await freePort(), await freePort(), await freePort()];
    const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
    for (const [i, port] of routePorts.entries()) {
      nodes.push(await startNatsServer({ args: ['-n', `node-${i + 1}`, '--cluster_name', 'jobstream', '-cluster', `nats://127.0.0.1:${port}`, '-routes', routes] }));
    }
    const urls = nodes.map((n) => n.url).join(',');
    admin = await connect({ servers: urls });
    // No API check: JetStream answers only once the meta leader is elected, which the probe waits for.
    const jsm = await admin.jetstreamManager({ checkAPI: false });
    // Ready when an R3 stream can be placed: the meta leader is elected and knows all three peers.
    const probe = async () => {
      await jsm.streams.add({ name: 'PROBE', subjects: ['probe'], num_replicas: 3 });
      await jsm.streams.delete('PROBE');
    };
    await waitFor(() => probe().then(() => true, () => false), 60_000, 500);
    // The big replicated streams first, from here, so the services find them instead of all creating them at once.
    process.env.JETSTREAM_REPLICAS = '3';
    await ensureWorkStream(jsm);
    await (await createEventStore(loadEventStoreConfig({ NATS_URL: urls, JETSTREAM_REPLICAS: '3' }), { nats: admin })).close();
    delete process.env.JETSTREAM_REPLICAS;
    system = await bootSystem({ ...FAST, NATS_URL: urls, JETSTREAM_REPLICAS: '3', EXECUTOR_ID: 'exec-1' }, true);
    console.log('[cluster] services up');
    const second = await system.spawn('executor', { EXECUTOR_ID: 'exec-2' }, 'exec-2');
    const registered = async () => ((await getJson(`${system.gatewayUrl}/${TENANT}/api/executors`)).body.items as { executorId: string }[]).some((e) => e.executorId === 'exec-2');
    await waitFor(registered, 60_000, 250).catch((error) => {
      throw new Error(`exec-2 did not join the fleet: ${(error as Error).message}\n${second.output().slice(-2000)}`);
    });
    store = await createEventStore(loadEventStoreConfig({ NATS_URL: urls, JETSTREAM_REPLICAS: '3' }));
  });

  afterAll(async () => {
    await store?.close();
    await admin?.close();
    await system?.stop();
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('kill -9 of one node under load: no accepted job lost, work continues, the node rejoins and catches up', async () => {
    const total = 100;
    let accepted = 0;
    const submitting = mapLimit([...Array(total).keys()], 20, async (i) => {
      const jobId = await submitThroughFaults(system.gatewayUrl, { type: 'echo', payload: { i }, idempotencyKey: `cluster-${i}` });
      if (jobId) accepted += 1;
      return jobId;
    });
    await waitFor(() => accepted >= 25, 60_000, 20);
    // The hardest node to lose: the event stream's leader, so appends and reads wait for a new election.
    const leader = (await (await admin.jetstreamManager()).streams.info('JOBSTREAM_EVENTS')).cluster?.leader;
    const victim = nodes[Number(leader?.replace('node-', '')) - 1];
    const killedAt = Date.now();
    await victim.kill();
    console.log(`[cluster] ${leader} (event stream leader) killed after ${accepted} accepted`);
    const jobIds = (await submitting).filter((id): id is string => id !== null);
    console.log(`[cluster] ${jobIds.length} accepted ${Date.now() - killedAt} ms after the kill`);
    await waitAllCompleted(system, jobIds, 120_000).catch(async (error) => {
      throw new Error(`${(error as Error).message}\n--- consumers\n${await consumersOf(admin, ['JOBSTREAM_EVENTS', 'JOBSTREAM_WORK'])}`);
    });
    console.log(`[cluster] all completed ${Date.now() - killedAt} ms after the kill; restarting ${leader}`);

    const restartedAt = Date.now();
    await victim.restart();
    // Asked through the cluster (the stream leader answers): the restarted node is a current replica again.
    const jsm = await admin.jetstreamManager();
    await waitFor(async () => {
      const info = await jsm.streams.info('JOBSTREAM_EVENTS').catch(() => null);
      const peers = info?.cluster?.replicas ?? [];
      return peers.length === 2 && peers.every((p) => p.current && !p.offline);
    }, 60_000, 250);
    console.log(`[cluster] ${leader} current on the event stream ${Date.now() - restartedAt} ms after its restart`);
    const info = await jsm.streams.info('JOBSTREAM_EVENTS');
    expect(info.config.num_replicas).toBe(3);

    const figures = await audit(store, jobIds);
    expect(figures).toMatchObject({ submitted: total, completed: total, lost: 0, duplicated: 0 });
    report('kill -9 one node of a 3-node cluster under load', figures);
  });
});
