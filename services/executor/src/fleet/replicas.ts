import type { EventStore } from '@jobstream/event-store';
import type { ExecutorRecord, ScaledJobRef } from '@jobstream/messaging';
import type { NatsConnection } from 'nats';
import type { RegisteredHandler } from '../runtime/handler-registry';
import { JobStream } from '../runtime/job-events';
import type { ChildSubmitter } from '../runtime/running-job';
import { messageOf } from './kv-errors';
import { ReplicaJob } from './replica-job';

export interface ReplicaDeps {
  store: EventStore;
  nc: NatsConnection;
  executorId: string;
  handlers: Map<string, RegisteredHandler>;
  children: ChildSubmitter;
  /** True while this executor owns the job itself: no replica then. */
  ownsHere(tenant: string, jobId: string): boolean;
  log: { log(message: string, context?: object): void; warn(message: string, context?: object): void };
}

const keyOf = (ref: { tenant: string; jobId: string }) => `${ref.tenant}.${ref.jobId}`;

/**
 * Scaling: a job whose handler is registered `scalable` runs on its owner AND, as a replica, on every other
 * executor serving its type. Owners list their scalable jobs in their registry entry; each executor
 * reconciles its replicas with the fleet at every registry refresh: it starts the missing ones and stops
 * those whose job left every owner's list (finished, cancelled, or its owner died and nobody took it yet).
 */
export class Replicas {
  private readonly running = new Map<string, { job?: ReplicaJob; stop: AbortController }>();

  constructor(private readonly deps: ReplicaDeps) {}

  reconcile(fleet: ExecutorRecord[]): void {
    const wanted = new Map<string, ScaledJobRef>();
    for (const record of fleet) {
      if (record.executorId === this.deps.executorId) continue;
      for (const ref of record.scaled) {
        if (this.deps.handlers.get(ref.type)?.registration.scalable && !this.deps.ownsHere(ref.tenant, ref.jobId)) wanted.set(keyOf(ref), ref);
      }
    }
    for (const key of this.running.keys()) if (!wanted.has(key)) this.stop(key);
    for (const [key, ref] of wanted) if (!this.running.has(key)) this.start(key, ref);
  }

  /** This executor took the job over: its replica gives way to the real run. */
  stop(key: string): void {
    const replica = this.running.get(key);
    if (!replica) return;
    this.running.delete(key);
    replica.stop.abort(new Error('replica no longer needed'));
    replica.job?.abort.abort(new Error('replica no longer needed'));
  }

  stopAll(): void {
    for (const key of [...this.running.keys()]) this.stop(key);
  }

  get count(): number {
    return this.running.size;
  }

  private start(key: string, ref: ScaledJobRef): void {
    const entry: { job?: ReplicaJob; stop: AbortController } = { stop: new AbortController() };
    this.running.set(key, entry);
    void this.run(ref, entry).finally(() => {
      if (this.running.get(key) === entry) this.running.delete(key);
    });
  }

  private async run(ref: ScaledJobRef, entry: { job?: ReplicaJob; stop: AbortController }): Promise<void> {
    const { store, nc, executorId, handlers, children, log } = this.deps;
    const context = { jobId: ref.jobId, tenant: ref.tenant, replica: true };
    try {
      const who = { tenant: ref.tenant, actor: `executor:${executorId}`, correlationId: ref.correlationId, causationId: null };
      const stream = await JobStream.open(store, who, ref.jobId);
      if (entry.stop.signal.aborted || stream.state.status !== 'RUNNING') return;
      const job = new ReplicaJob(stream, executorId, nc, children, {
        info: (msg, extra) => log.log(msg, { ...context, ...extra }),
        warn: (msg, extra) => log.warn(msg, { ...context, ...extra }),
      });
      entry.job = job;
      log.log(`replica of ${ref.type} job started`, context);
      await (handlers.get(ref.type) as RegisteredHandler).handler.execute(job);
      await job.settle();
    } catch (error) {
      log.warn(`replica of ${ref.type} job ended: ${messageOf(error)}`, context);
    }
  }
}
