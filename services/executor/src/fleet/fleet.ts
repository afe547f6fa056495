import type { EventStore } from '@jobstream/event-store';
import { FLEET_BUCKETS, HEARTBEAT_BUCKET_TTL_MS, openFleetBucket, type ScaledJobRef } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import type { JobHandlerRegistration } from '../sdk/job-handler';
import type { ExecutorConfig } from '../runtime/executor-config';
import type { RegisteredHandler } from '../runtime/handler-registry';
import type { JobLiveness } from '../runtime/job-runner';
import type { ChildSubmitter, RunningJob } from '../runtime/running-job';
import { loadFleetConfig, type FleetConfig } from './fleet-config';
import { HeartbeatWriter } from './heartbeats';
import { JobLeases } from './job-leases';
import { timeOutLeftoverJobs } from './recovery';
import { FleetRegistry } from './registry';
import { Replicas } from './replicas';

export interface FleetLogger {
  log(message: string, context?: object): void;
  warn(message: string, context?: object): void;
}

const keyOf = (tenant: string, jobId: string) => `${tenant}.${jobId}`;

/**
 * This executor as a member of the fleet: its registry entry, the heartbeats and leases of the jobs it
 * runs, the replicas of other executors' scalable jobs, and the start-up hand-back of jobs a previous run
 * left RUNNING. The job runner tells it when jobs start and end (JobLiveness).
 */
export class Fleet implements JobLiveness {
  private readonly local = new Set<string>();
  private readonly scaled = new Map<string, ScaledJobRef>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly store: EventStore,
    private readonly executor: ExecutorConfig,
    private readonly config: FleetConfig,
    private readonly registry: FleetRegistry,
    private readonly heartbeats: HeartbeatWriter,
    private readonly leases: JobLeases,
    private readonly replicas: Replicas,
    private readonly logger: FleetLogger,
  ) {}

  static async open(deps: {
    nc: NatsConnection;
    store: EventStore;
    executor: ExecutorConfig;
    handlers: Map<string, RegisteredHandler>;
    children: ChildSubmitter;
    inFlight: () => number;
    logger: FleetLogger;
  }): Promise<Fleet> {
    const { nc, store, executor, handlers, children, logger } = deps;
    const config = loadFleetConfig();
    const warn = (message: string) => logger.warn(message);
    const [executorsKv, heartbeatsKv, leasesKv] = await Promise.all([
      openFleetBucket(nc, FLEET_BUCKETS.executors, config.executorTtlMs),
      openFleetBucket(nc, FLEET_BUCKETS.heartbeats, HEARTBEAT_BUCKET_TTL_MS),
      openFleetBucket(nc, FLEET_BUCKETS.leases),
    ]);
    // The registry and replicas read the fleet's job sets, and the fleet is built from them.
    const ref: { fleet?: Fleet } = {};
    const replicas = new Replicas({
      store,
      nc,
      executorId: executor.executorId,
      handlers,
      children,
      ownsHere: (tenant, jobId) => ref.fleet?.local.has(keyOf(tenant, jobId)) ?? false,
      log: logger,
    });
    const registry = new FleetRegistry(
      executorsKv,
      { executorId: executor.executorId, host: executor.host, types: [...handlers.keys()], capacity: executor.capacity },
      config.executorTtlMs,
      {
        snapshot: () => ({ inFlight: deps.inFlight(), scaled: ref.fleet ? [...ref.fleet.scaled.values()] : [] }),
        onFleet: (records) => replicas.reconcile(records),
        warn,
      },
    );
    const fleet = new Fleet(
      nc,
      store,
      executor,
      config,
      registry,
      new HeartbeatWriter(heartbeatsKv, executor.executorId, config.heartbeatIntervalMs, warn),
      new JobLeases(leasesKv, executor.executorId, config.leaseTtlMs, warn),
      replicas,
      logger,
    );
    ref.fleet = fleet;
    return fleet;
  }

  /** Before taking work: hand back what a previous run left, then join the fleet. */
  async start(): Promise<void> {
    if (this.config.stableId) {
      const count = await timeOutLeftoverJobs(this.nc, this.store, this.executor.executorId, this.config.recoveryTimeoutMs, (m) =>
        this.logger.warn(m),
      );
      if (count > 0) this.logger.log(`timed out ${count} job(s) left running by a previous run of ${this.executor.executorId}`);
    }
    this.heartbeats.start();
    this.leases.start();
    await this.registry.start();
  }

  /** After running jobs were handed back: leave the fleet at once instead of after a TTL. */
  async stop(): Promise<void> {
    this.replicas.stopAll();
    this.heartbeats.stop();
    this.leases.stop();
    await this.registry.stop();
  }

  async started(job: RunningJob, registration: JobHandlerRegistration): Promise<void> {
    const key = keyOf(job.tenant, job.jobId);
    this.local.add(key);
    this.replicas.stop(key);
    this.heartbeats.track(job.tenant, job.jobId, registration.singleton ? this.leases.ttlMs : undefined);
    if (registration.singleton) await this.leases.acquire(job.tenant, job.jobId, (why) => job.lose(why));
    if (registration.scalable) {
      this.scaled.set(key, { tenant: job.tenant, jobId: job.jobId, type: job.type, correlationId: job.correlationId });
      this.registry.refresh();
    }
  }

  ended(job: RunningJob, registration: JobHandlerRegistration): void {
    const key = keyOf(job.tenant, job.jobId);
    this.local.delete(key);
    this.heartbeats.untrack(job.tenant, job.jobId);
    if (registration.singleton) this.leases.release(job.tenant, job.jobId);
    if (this.scaled.delete(key)) this.registry.refresh();
  }

  beat(job: RunningJob): void {
    this.heartbeats.beat(job.tenant, job.jobId);
  }
}
