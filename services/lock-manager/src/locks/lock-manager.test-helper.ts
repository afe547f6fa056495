import { randomUUID } from 'node:crypto';
import {
  decideJob,
  decideLockTable,
  evolveJob,
  initialJobState,
  lockTableStreamId,
  streamIdOf,
  type EventContext,
  type JobCommand,
  type JobEvent,
  type JobLock,
  type JobState,
  type LockTableCommand,
} from '@jobstream/domain';
import { handleCommand, load, type Aggregate, type EventStore } from '@jobstream/event-store';
import { TABLE } from './lock-tables';

const JOB: Aggregate<JobState> = { initial: initialJobState, evolve: (s, e) => evolveJob(s, e as JobEvent) };

export const ctxOf = (tenant: string, actor = 'service:test'): EventContext => ({
  tenant,
  now: new Date(),
  newId: randomUUID,
  actor,
  correlationId: randomUUID(),
  causationId: null,
});

/** Appends what the job domain decides, as the gateway and executors would. */
export async function driveJob(store: EventStore, tenant: string, jobId: string, command: JobCommand): Promise<JobState> {
  const ctx = ctxOf(tenant);
  return (await handleCommand(store, streamIdOf(tenant, 'job', jobId), JOB, (s) => decideJob(command, s, ctx))).state;
}

export const submitJob = (store: EventStore, tenant: string, jobId: string, locks: JobLock[]) =>
  driveJob(store, tenant, jobId, { type: 'submit', jobId, jobType: 'noop', payload: {}, locks });

/** Runs a job that holds its locks to completion, as an executor would. */
export async function runToCompletion(store: EventStore, tenant: string, jobId: string): Promise<void> {
  await driveJob(store, tenant, jobId, { type: 'start', executorId: 'executor-1' });
  await driveJob(store, tenant, jobId, { type: 'complete', executorId: 'executor-1' });
}

export async function jobOf(store: EventStore, tenant: string, jobId: string): Promise<JobState> {
  return (await load(store, streamIdOf(tenant, 'job', jobId), JOB)).state;
}

export async function historyOf(store: EventStore, tenant: string, jobId: string): Promise<string[]> {
  return (await store.read(streamIdOf(tenant, 'job', jobId))).map((r) => r.event.type);
}

export async function tableEvents(store: EventStore, tenant: string) {
  return (await store.read(lockTableStreamId(tenant))).map((r) => r.event);
}

/** Appends to the table behind the lock manager's back: what it would have written before crashing. */
export async function commandTableDirectly(store: EventStore, tenant: string, command: LockTableCommand, causationId: string | null = null) {
  const ctx = { ...ctxOf(tenant, 'service:lock-manager'), causationId };
  return (await handleCommand(store, lockTableStreamId(tenant), TABLE, (s) => decideLockTable(command, s.table, ctx))).events;
}
