import { createEventStore, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { startSystem, waitFor, type RunningSystem, type ServiceProcess } from '@jobstream/testing';
import { connect, JSONCodec, type NatsConnection } from 'nats';
import { getJson, mapLimit, postJson } from './http';

/*
 * Redundancy and scaling of a singleton, scalable listener (`message-listener`) with real executors:
 * the job is owned by one executor at a time (lease), replicas on the others share its messages through
 * the queue group, and a kill -9 of the owner hands the job to another executor within the lease TTL.
 * Every test ends on the job's stream in the event store.
 */
jest.setTimeout(300_000);

const TENANT = 'acme';
const FAST = {
  HEARTBEAT_INTERVAL_MS: '300',
  DEADLINE_CHECK_MS: '200',
  EXECUTOR_TTL_MS: '3000',
  JOB_LEASE_TTL_MS: '3000',
  WORK_ACK_WAIT_MS: '2000',
};
const json = JSONCodec();

describe('redundancy and scaling of listeners (real processes)', () => {
  let system: RunningSystem;
  let store: EventStore;
  let nc: NatsConnection;
  const executors = new Map<string, ServiceProcess>();

  const eventsOf = async (jobId: string) => (await store.read(`${TENANT}.job.${jobId}`)).map(({ event }) => event);
  const executorIds = async () =>
    ((await getJson(`${system.gatewayUrl}/${TENANT}/api/executors`)).body.items as { executorId: string }[]).map((e) => e.executorId).sort();
  const echoJobs = async () => (await getJson(`${system.gatewayUrl}/${TENANT}/api/jobs?type=echo&limit=500`)).body.items as { jobId: string }[];
  const ownerOf = async (jobId: string) =>
    [...(await eventsOf(jobId))].reverse().find((e) => e.type === 'job.started' || e.type === 'job.resumed')?.data as { executorId: string } | undefined;

  beforeAll(async () => {
    // startSystem's 30 s health wait is short for five processes on a busy machine: spawn, then wait longer.
    system = await startSystem({ services: [], env: FAST });
    for (const service of ['projector', 'lock-manager', 'scheduler', 'gateway'] as const) await system.spawn(service);
    for (const id of ['exec-a', 'exec-b']) executors.set(id, await system.spawn('executor', { EXECUTOR_ID: id, LOG_LEVEL: 'info' }, id));
    await waitFor(async () => (await fetch(`${system.gatewayUrl}/health`).catch(() => null))?.ok === true, 150_000, 250);
    await waitFor(async () => (await executorIds()).join() === 'exec-a,exec-b', 30_000, 100);
    nc = await connect({ servers: system.nats.url });
    store = await createEventStore(loadEventStoreConfig({ NATS_URL: system.nats.url }), { nats: nc });
  });

  afterAll(async () => {
    await store?.close();
    await nc?.close();
    await system?.stop();
  });

  let listenerId: string;

  it('a scalable listener runs on every executor: the replica on the other executor handles messages too, N messages are handled once in total', async () => {
    const res = await postJson(`${system.gatewayUrl}/${TENANT}/api/jobs`, {
      type: 'message-listener',
      payload: { subject: 'orders.placed', jobType: 'echo', payloadTemplate: {} },
    });
    expect(res.status).toBe(202);
    listenerId = res.body.jobId;
    await waitFor(async () => (await ownerOf(listenerId)) !== undefined, 20_000, 100);
    const owner = (await ownerOf(listenerId))!.executorId;
    const other = owner === 'exec-a' ? 'exec-b' : 'exec-a';
    // The other executor reconciles at its next registry refresh (TTL/3) and starts a replica (logged at info).
    await waitFor(() => (executors.get(other) as ServiceProcess).output().includes('replica of message-listener job started'), 20_000, 100);

    const n = 40;
    for (let i = 0; i < n / 2; i++) nc.publish('orders.placed', json.encode({ order: i }));
    await nc.flush();
    await waitFor(async () => (await echoJobs()).length >= n / 2, 30_000, 200);
    // Spread: with the owner frozen (for less than the lease TTL), the replica alone turns messages into jobs;
    // the owner's share waits in its socket and is handled after SIGCONT.
    const ownerProcess = (executors.get(owner) as ServiceProcess).process;
    ownerProcess.kill('SIGSTOP');
    try {
      for (let i = n / 2; i < n; i++) nc.publish('orders.placed', json.encode({ order: i }));
      await nc.flush();
      await waitFor(async () => (await echoJobs()).length > n / 2, 2_000, 100);
    } finally {
      ownerProcess.kill('SIGCONT');
    }
    await waitFor(async () => (await echoJobs()).length >= n, 30_000, 200);
    // A message handled twice would show up as a 41st job: give it time to appear.
    await new Promise((r) => setTimeout(r, 1_000));
    const children = await echoJobs();
    const orders = await mapLimit(children, 16, async ({ jobId }) => {
      const submitted = (await eventsOf(jobId)).find((e) => e.type === 'job.submitted');
      return ((submitted?.data as { payload: { message: { order: number } } }).payload.message).order;
    });
    expect(orders.sort((x, y) => x - y)).toEqual([...Array(n).keys()]);
    // The listener itself records no transition of the replica's: one start, by the owner.
    const events = await eventsOf(listenerId);
    expect(events.filter((e) => e.type === 'job.started').map((e) => (e.data as { executorId: string }).executorId)).toEqual([owner]);
  });

  it('kill -9 of the singleton owner: the other executor takes the listener over within the lease TTL', async () => {
    const owner = (await ownerOf(listenerId))!.executorId;
    const other = owner === 'exec-a' ? 'exec-b' : 'exec-a';
    const killedAt = Date.now();
    await system.stopProcess(executors.get(owner) as ServiceProcess, 'SIGKILL');
    await waitFor(async () => (await ownerOf(listenerId))?.executorId === other, 30_000, 100);
    await waitFor(async () => (await executorIds()).join() === other, 20_000, 200);

    const events = await eventsOf(listenerId);
    const types = events.map((e) => e.type);
    expect(events.filter((e) => e.type === 'job.started').map((e) => (e.data as { executorId: string }).executorId)).toEqual([owner, other]);
    const timedOut = events.find((e) => e.type === 'job.timed-out');
    expect(timedOut?.actor).toBe('watcher');
    expect(types.indexOf('job.timed-out')).toBeLessThan(types.lastIndexOf('job.started'));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const takenOver = events.filter((e) => e.type === 'job.started')[1];
    console.log(`[reliability] singleton listener kill -9: started on ${other} ${Date.parse(takenOver.occurredAt) - killedAt} ms after the kill (lease TTL ${FAST.JOB_LEASE_TTL_MS} ms)`);

    // The new owner still handles messages alone.
    const before = (await echoJobs()).length;
    nc.publish('orders.placed', json.encode({ order: 'after-takeover' }));
    await waitFor(async () => (await echoJobs()).length === before + 1, 20_000, 200);
  });
});
