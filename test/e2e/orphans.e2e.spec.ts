import { createEventStore, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { startSystem, waitFor, type RunningSystem, type ServiceProcess } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { getJson, postJson } from './http';

/*
 * Orphans (seed Activate) with real processes: an executor dies with a job RUNNING, the deadline watcher
 * is kept out of the way (first deadline 10 min), and two projectors scan for orphans every 300 ms with a
 * 2 s threshold. The job must be flagged exactly once, requeued and completed by another executor.
 */
jest.setTimeout(300_000);

const TENANT = 'acme';

describe('orphan detection (real processes, two scanners)', () => {
  let system: RunningSystem;
  let store: EventStore;
  let nc: NatsConnection;

  beforeAll(async () => {
    system = await startSystem({
      services: [],
      env: { ORPHAN_SCAN_PERIOD_MS: '300', ORPHAN_THRESHOLD_MS: '2000', HEARTBEAT_INTERVAL_MS: '300' },
    });
    await system.spawn('projector');
    // A second projector with its own read model: both scan the same log at once.
    await system.spawn('projector', { PROJECTOR_DB: `${system.env.PROJECTOR_DB}.second` }, 'projector-2');
    for (const service of ['lock-manager', 'scheduler', 'gateway'] as const) await system.spawn(service);
    await system.spawn('executor', { EXECUTOR_ID: 'exec-a' }, 'exec-a');
    await waitFor(async () => (await fetch(`${system.gatewayUrl}/health`).catch(() => null))?.ok === true, 150_000, 250);
    nc = await connect({ servers: system.nats.url });
    store = await createEventStore(loadEventStoreConfig({ NATS_URL: system.nats.url }), { nats: nc });
  });

  afterAll(async () => {
    await store?.close();
    await nc?.close();
    await system?.stop();
  });

  const eventsOf = async (jobId: string) => (await store.read(`${TENANT}.job.${jobId}`)).map(({ event }) => event);

  it('a RUNNING job silent past the threshold is flagged orphaned once, requeued and completed elsewhere', async () => {
    const res = await postJson(`${system.gatewayUrl}/${TENANT}/api/jobs`, {
      type: 'delay',
      payload: { delay: 'PT3S' },
      timeouts: { firstDeadlineMs: 600_000, secondDeadlineMs: 1_200_000 },
    });
    expect(res.status).toBe(202);
    const jobId = res.body.jobId as string;
    await waitFor(async () => (await eventsOf(jobId)).some((e) => e.type === 'job.step-completed'), 20_000, 100);
    await system.stopProcess(system.processes.find((p) => p.name === 'exec-a') as ServiceProcess, 'SIGKILL');
    await system.spawn('executor', { EXECUTOR_ID: 'exec-b' }, 'exec-b');
    await waitFor(async () => (await getJson(`${system.gatewayUrl}/${TENANT}/api/jobs/${jobId}`)).body.status === 'COMPLETED', 30_000, 200);
    // Both scanners have had several more periods to flag the job again: they must not.
    await new Promise((r) => setTimeout(r, 1_000));

    // Progress reports depend on timing; the transitions do not.
    const events = (await eventsOf(jobId)).filter((e) => e.type !== 'job.progressed');
    expect(events.map((e) => e.type)).toEqual(['job.submitted', 'job.started', 'job.step-completed', 'job.orphaned', 'job.started', 'job.completed']);
    expect(events[3].actor).toBe('orphan-scanner');
    expect(events.filter((e) => e.type === 'job.started').map((e) => (e.data as { executorId: string }).executorId)).toEqual(['exec-a', 'exec-b']);
    const silence = Date.parse(events[3].occurredAt) - Date.parse(events[2].occurredAt);
    expect(silence).toBeGreaterThanOrEqual(2000);
    console.log(`[reliability] orphan: flagged ${silence} ms after the last event (threshold 2000, scan 300), restarted ${Date.parse(events[4].occurredAt) - Date.parse(events[3].occurredAt)} ms after flagging`);
  });
});
