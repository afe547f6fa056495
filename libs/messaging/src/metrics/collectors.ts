import type { ConsumerInfo, NatsConnection } from 'nats';
import { Gauge } from 'prom-client';
import { FLEET_BUCKETS, listExecutors, type ExecutorRecord } from '../fleet';
import { rpc } from '../rpc';
import { LOCK_SUBJECTS, subjects, WORK_STREAM } from '../subjects';
import { metricsRegistry } from './registry';

/** A scrape must answer even when a peer is down: each remote read gets this long, then the gauge is left empty. */
const SCRAPE_TIMEOUT_MS = 2000;

/**
 * Tenants whose per-tenant gauges are collected: METRICS_TENANTS (comma-separated, default "default")
 * plus every tenant this process has seen in the event log since it started. There is no tenant registry
 * to ask; the services with per-tenant gauges (projector, lock manager) follow the log anyway and note
 * each commit's tenant, so learning them costs no message of its own.
 */
export class KnownTenants {
  private readonly seen: Set<string>;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.seen = new Set((env.METRICS_TENANTS ?? 'default').split(',').map((t) => t.trim()).filter(Boolean));
  }

  note(tenant: string): void {
    this.seen.add(tenant);
  }

  list(): string[] {
    return [...this.seen];
  }
}

/** This process's tenants, noted by its log follower and read by its per-tenant gauges. */
export const knownTenants = new KnownTenants();

/**
 * One remote read per scrape for several gauges: prom-client collects all metrics concurrently, so
 * each gauge awaits the same read and sets its own values from it.
 */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | null = null;
  return () => {
    if (!current) {
      current = read();
      // Released once settled: the next scrape reads afresh.
      void current.then(
        () => (current = null),
        () => (current = null),
      );
    }
    return current;
  };
}

const eachTenant = async (tenants: KnownTenants, read: (tenant: string) => Promise<void>) => {
  await Promise.all(tenants.list().map((tenant) => read(tenant).catch(() => undefined)));
};

interface JobStatsReply {
  byType: Record<string, Record<string, number>>;
}

/** The projector: jobs by tenant, type and status (its stats query), and how far it trails the log. */
export function projectorCollectors(nc: NatsConnection, tenants: KnownTenants): void {
  new Gauge({
    name: 'jobstream_jobs',
    help: 'Jobs in the read model by tenant, type and status (projector query jobs.stats).',
    labelNames: ['tenant', 'type', 'status'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      await eachTenant(tenants, async (tenant) => {
        const stats = await rpc<JobStatsReply>(nc, subjects.query('jobs.stats'), { tenant }, SCRAPE_TIMEOUT_MS);
        for (const [type, byStatus] of Object.entries(stats.byType)) {
          for (const [status, count] of Object.entries(byStatus)) this.set({ tenant, type, status }, count);
        }
      });
    },
  });
  new Gauge({
    name: 'jobstream_projector_lag_events',
    help: 'Commits in the event stream the projector has not applied yet (stream last sequence minus checkpoint).',
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      const status = await rpc<{ position: string | null }>(nc, subjects.query('status'), {}, SCRAPE_TIMEOUT_MS).catch(() => null);
      if (!status) return;
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.info(process.env.EVENT_STREAM_NAME ?? 'JOBSTREAM_EVENTS').catch(() => null);
      // Positions of other stores (KurrentDB) are not stream sequences: no lag to compute then.
      const position = status.position === null ? 0 : Number(status.position);
      if (info && Number.isSafeInteger(position)) this.set(Math.max(0, info.state.last_seq - position));
    },
  });
}

/** The scheduler: depth and oldest waiting item of each `work-<type>` consumer of the work queue. */
export function schedulerCollectors(nc: NatsConnection): void {
  const read = sharedRead(async () => {
    const byType: { type: string; depth: number; oldestSeconds: number | null }[] = [];
    const jsm = await nc.jetstreamManager();
    const consumers: ConsumerInfo[] = [];
    try {
      for await (const info of jsm.consumers.list(WORK_STREAM)) consumers.push(info);
    } catch {
      return byType; // no work stream yet: nothing has been queued
    }
    await Promise.all(
      consumers
        .filter((c) => c.name.startsWith('work-'))
        .map(async (c) => {
          const type = c.name.slice('work-'.length);
          if (c.num_pending === 0) return byType.push({ type, depth: 0, oldestSeconds: 0 });
          // The first message on the type's subject after the last one delivered is the oldest still waiting.
          // The server's STREAM.MSG.GET takes next_by_subj; the client's types only list it for direct gets.
          const request = { seq: c.delivered.stream_seq + 1, next_by_subj: subjects.work(type) } as unknown as { seq: number };
          const msg = await jsm.streams.getMessage(WORK_STREAM, request).catch(() => null);
          byType.push({ type, depth: c.num_pending, oldestSeconds: msg ? Math.max(0, (Date.now() - msg.time.getTime()) / 1000) : null });
        }),
    );
    return byType;
  });
  new Gauge({
    name: 'jobstream_queue_depth',
    help: 'Work items waiting for an executor (JetStream num_pending of the work-<type> consumer), by job type.',
    labelNames: ['type'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const t of await read()) this.set({ type: t.type }, t.depth);
    },
  });
  new Gauge({
    name: 'jobstream_queue_oldest_waiting_seconds',
    help: 'Age of the oldest work item not yet delivered to an executor, by job type.',
    labelNames: ['type'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const t of await read()) if (t.oldestSeconds !== null) this.set({ type: t.type }, t.oldestSeconds);
    },
  });
}

/** The lock manager: holders and waiters of each known tenant's lock table. */
export function lockManagerCollectors(nc: NatsConnection, tenants: KnownTenants): void {
  const read = sharedRead(async () => {
    const counts: { tenant: string; holders: number; waiters: number }[] = [];
    await eachTenant(tenants, async (tenant) => {
      const table = await rpc<{ resources: { holders: unknown[]; waiters: unknown[] }[] }>(nc, LOCK_SUBJECTS.table, { tenant }, SCRAPE_TIMEOUT_MS);
      counts.push({
        tenant,
        holders: table.resources.reduce((n, r) => n + r.holders.length, 0),
        waiters: table.resources.reduce((n, r) => n + r.waiters.length, 0),
      });
    });
    return counts;
  });
  new Gauge({
    name: 'jobstream_lock_waiters',
    help: 'Jobs waiting for a lock (WAITING_FOR_LOCK), by tenant.',
    labelNames: ['tenant'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const c of await read()) this.set({ tenant: c.tenant }, c.waiters);
    },
  });
  new Gauge({
    name: 'jobstream_lock_holders',
    help: 'Jobs holding a lock, by tenant.',
    labelNames: ['tenant'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const c of await read()) this.set({ tenant: c.tenant }, c.holders);
    },
  });
}

/** The gateway: the executor fleet as its registry bucket shows it (capacity and jobs in flight per executor). */
export function fleetCollectors(nc: NatsConnection): void {
  const read = sharedRead(async () => {
    // bindOnly: reading metrics must never create the bucket with the wrong settings.
    const kv = await nc.jetstream().views.kv(FLEET_BUCKETS.executors, { bindOnly: true }).catch(() => null);
    return kv ? listExecutors(kv) : [];
  });
  const gauge = (name: string, help: string, value: (r: ExecutorRecord) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['executor', 'host'] as const,
      registers: [metricsRegistry],
      async collect() {
        this.reset();
        for (const r of await read()) this.set({ executor: r.executorId, host: r.host }, value(r));
      },
    });
  gauge('jobstream_executor_capacity', 'Jobs an executor may run at once, per live executor (fleet registry).', (r) => r.capacity);
  gauge('jobstream_executor_in_flight', 'Jobs an executor runs now, per live executor (fleet registry): capacity in use.', (r) => r.inFlight);
}
