import { randomUUID } from 'node:crypto';
import {
  decideJob,
  evolveJob,
  initialJobState,
  streamIdOf,
  type DomainEvent,
  type EventContext,
  type JobCommand,
  type JobEvent,
  type JobLock,
  type JobState,
} from '@jobstream/domain';
import { createEventStore, handleCommand, loadEventStoreConfig, type Aggregate, type EventStore } from '@jobstream/event-store';
import { BenchRow, percentile, startNatsServer } from '@jobstream/testing';
import { connect } from 'nats';
import { LockReactorService } from '../services/lock-manager/src/locks/lock-reactor.service';

const UNCONTENDED_JOBS = 1_000;
const SUBMIT_IN_FLIGHT = 32;
const CONTENDED_JOBS = 100;
const RUN_MS = 20;

const JOB: Aggregate<JobState> = { initial: initialJobState, evolve: (s, e) => evolveJob(s, e as JobEvent) };
const ctx = (tenant: string): EventContext => ({
  tenant,
  now: new Date(),
  newId: randomUUID,
  actor: 'service:bench',
  correlationId: randomUUID(),
  causationId: null,
});
const drive = (store: EventStore, tenant: string, jobId: string, command: JobCommand) =>
  handleCommand(store, streamIdOf(tenant, 'job', jobId), JOB, (s) => decideJob(command, s, ctx(tenant)));
const submit = (store: EventStore, tenant: string, jobId: string, locks: JobLock[]) =>
  drive(store, tenant, jobId, { type: 'submit', jobId, jobType: 'noop', payload: {}, locks });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `onEvent` for every event appended from now on, with the time it was seen. */
async function watch(store: EventStore, onEvent: (event: DomainEvent, at: number) => void) {
  return store.subscribe({
    fromPosition: undefined,
    handler: async (batch) => {
      const at = performance.now();
      for (const { event } of batch.events) onEvent(event, at);
    },
  });
}

/**
 * The lock manager as it runs in production (the reactor over the log, a real nats-server, the
 * JetStream store), driven by jobs appended through the job domain. In the contended case the
 * "executors" are in-process: on `job.lock-granted` they append start, wait RUN_MS, append complete.
 */
export async function bench(): Promise<{ title: string; rows: BenchRow[] }[]> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const store = await createEventStore(loadEventStoreConfig({ NATS_URL: server.url }), { nats: nc });
  const reactor = new LockReactorService(store, nc);
  await reactor.onApplicationBootstrap();
  try {
    // Uncontended: every job its own resource, so each request is granted at once.
    const appended = new Map<string, number>();
    const granted = new Map<string, number>();
    let allGranted!: () => void;
    const done = new Promise<void>((resolve) => (allGranted = resolve));
    const watcher = await watch(store, (event, at) => {
      if (event.type === 'job.lock-granted' && event.tenant === 'free') {
        granted.set(event.streamId, at);
        if (granted.size === UNCONTENDED_JOBS) allGranted();
      }
    });
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SUBMIT_IN_FLIGHT }, async () => {
        while (next < UNCONTENDED_JOBS) {
          const i = next++;
          await submit(store, 'free', `job-${i}`, [{ resource: `asset:${i}`, mode: 'EXCLUSIVE' }]);
          appended.set(streamIdOf('free', 'job', `job-${i}`), performance.now());
        }
      }),
    );
    await done;
    const seconds = (Math.max(...granted.values()) - started) / 1000;
    const latencies = [...granted].map(([streamId, at]) => at - (appended.get(streamId) ?? at));
    await watcher.stop();

    // Contended: one EXCLUSIVE resource, 100 jobs queued in arrival order, each run as soon as granted.
    const runTimes: number[] = [];
    let firstRequest = 0;
    let lastRelease = 0;
    let releases = 0;
    let allReleased!: () => void;
    const finished = new Promise<void>((resolve) => (allReleased = resolve));
    const running: Promise<void>[] = [];
    const executor = await watch(store, (event, at) => {
      if (event.tenant !== 'busy') return;
      if (event.type === 'job.lock-granted') {
        const jobId = event.streamId.split('.')[2];
        running.push(
          (async () => {
            await drive(store, 'busy', jobId, { type: 'start', executorId: 'bench-executor' });
            const t0 = performance.now();
            await sleep(RUN_MS);
            await drive(store, 'busy', jobId, { type: 'complete', executorId: 'bench-executor' });
            runTimes.push(performance.now() - t0);
          })(),
        );
      } else if (event.type === 'lock.requested' && firstRequest === 0) {
        firstRequest = at;
      } else if (event.type === 'lock.released') {
        lastRelease = at;
        if (++releases === CONTENDED_JOBS) allReleased();
      }
    });
    for (let i = 0; i < CONTENDED_JOBS; i++) await submit(store, 'busy', `job-${i}`, [{ resource: 'asset:hot', mode: 'EXCLUSIVE' }]);
    await finished;
    await Promise.all(running);
    await executor.stop();
    const wallMs = lastRelease - firstRequest;
    const runSumMs = runTimes.reduce((a, b) => a + b, 0);

    return [
      {
        title: `Lock grants, uncontended (${UNCONTENDED_JOBS} jobs on distinct resources, ${SUBMIT_IN_FLIGHT} submits in flight, reactor over JetStream)`,
        rows: [
          {
            'grants/s': Math.round(UNCONTENDED_JOBS / seconds),
            'p50 waiting-for-lock → lock-granted (ms)': percentile(latencies, 50),
            'p99 (ms)': percentile(latencies, 99),
          },
        ],
      },
      {
        title: `${CONTENDED_JOBS} jobs contending for one EXCLUSIVE resource (in-process executors, ${RUN_MS} ms per run)`,
        rows: [
          {
            'wall time, first request → last release (ms)': Math.round(wallMs),
            'sum of run times (ms)': Math.round(runSumMs),
            'hand-over per job (ms)': (wallMs - runSumMs) / CONTENDED_JOBS,
          },
        ],
      },
    ];
  } finally {
    await reactor.beforeApplicationShutdown();
    await store.close();
    await nc.close();
    await server.stop();
  }
}
