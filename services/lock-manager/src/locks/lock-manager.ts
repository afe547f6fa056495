import { randomUUID } from 'node:crypto';
import {
  decideJob,
  decideLockTable,
  evolveJob,
  initialJobState,
  isDomainError,
  isTerminal,
  lockTableStreamId,
  lockTableView,
  parseStreamId,
  streamIdOf,
  WATCHER,
  type DomainEvent,
  type EventContext,
  type JobEvent,
  type JobState,
  type LockGranted,
  type LockReleaseReason,
  type LockTableCommand,
  type LockTableEntry,
} from '@jobstream/domain';
import { handleCommand, type Aggregate, type EventStore, type Loaded, type RecordedEvent } from '@jobstream/event-store';
import { LockTables, TABLE } from './lock-tables';

export const LOCK_MANAGER_ACTOR = 'service:lock-manager';

const JOB: Aggregate<JobState> = { initial: initialJobState, evolve: (s, e) => evolveJob(s, e as JobEvent) };

/** The job events after which a job's place in the lock table may have to change. */
const LOCK_RELEVANT = new Set(['job.waiting-for-lock', 'job.completed', 'job.failed', 'job.cancelled', 'job.deleted']);

export interface LockManagerOptions {
  maxLocksPerJob: number;
  /** Told about every decision that could not be carried out (bad input in the log, a race lost). */
  warn?: (message: string, details: Record<string, unknown>) => void;
}

export interface ForceReleaseRequest {
  tenant: string;
  resource: string;
  actor: string;
  reason?: string;
  correlationId?: string;
}

interface Cause {
  correlationId: string;
  causationId: string | null;
}

/**
 * Keeps every tenant's lock table in step with its jobs. It is level-triggered: a job event only
 * says *which* job to look at; what to do follows from the job's current history and the table, so
 * a replayed, duplicated or late event leads to the same table, and a crash between the table
 * append and the `job.lock-granted` append is repaired the next time the job or tenant is looked at.
 */
export class LockManager {
  private readonly tables: LockTables;
  /** Tenants whose whole table was checked against its jobs since this process started. */
  private readonly reconciled = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly options: LockManagerOptions,
  ) {
    this.tables = new LockTables(store);
  }

  /** Handles one commit of the log; each job is looked at once, after the whole commit. */
  async onCommit(events: readonly DomainEvent[]): Promise<void> {
    const jobs = new Map<string, { tenant: string; jobId: string; event: DomainEvent }>();
    for (const event of events) {
      if (!LOCK_RELEVANT.has(event.type)) continue;
      const { tenant, aggregate, id } = parseStreamId(event.streamId);
      if (aggregate !== 'job') continue;
      jobs.set(event.streamId, { tenant, jobId: id, event });
    }
    for (const { tenant, jobId, event } of jobs.values()) {
      await this.tables.serialize(tenant, async () => {
        await this.ensureReconciled(tenant);
        const cached = this.tables.cached(tenant);
        // A job that ends without ever having asked for a lock is the common case: no read for it.
        if (event.type !== 'job.waiting-for-lock' && !cached?.state.table.jobs.has(jobId)) return;
        await this.reconcileJob(tenant, jobId, { correlationId: event.correlationId, causationId: event.eventId });
      });
    }
  }

  /** The tenant's table as the API shows it. */
  view(tenant: string): Promise<LockTableEntry[]> {
    return this.tables.serialize(tenant, async () => {
      await this.ensureReconciled(tenant);
      return lockTableView(this.tables.cached(tenant)?.state.table ?? TABLE.initial.table);
    });
  }

  /** Throws the domain's NOT_FOUND when nobody holds the resource. Returns the resource's new entry. */
  forceRelease(request: ForceReleaseRequest): Promise<LockTableEntry> {
    const { tenant, resource } = request;
    return this.tables.serialize(tenant, async () => {
      await this.ensureReconciled(tenant);
      const cause = { correlationId: request.correlationId ?? randomUUID(), causationId: null };
      const granted = await this.commandTable(
        tenant,
        { type: 'forceRelease', resource, ...(request.reason !== undefined && { reason: request.reason }) },
        cause,
        request.actor,
      );
      await this.grantJobs(tenant, granted);
      const table = this.tables.cached(tenant)?.state.table;
      return lockTableView(table ?? TABLE.initial.table).find((entry) => entry.resource === resource) ?? {
        resource,
        holders: [],
        waiters: [],
      };
    });
  }

  /**
   * The first time a tenant is touched, every job in its table is checked: a grant whose
   * `job.lock-granted` was never written (crash between the two appends), or a job that ended
   * while nobody was watching, is put right before anything new is decided.
   */
  private async ensureReconciled(tenant: string): Promise<void> {
    if (this.reconciled.has(tenant)) return;
    const { state } = await this.tables.load(tenant);
    for (const jobId of [...state.table.jobs.keys()]) {
      await this.reconcileJob(tenant, jobId, { correlationId: randomUUID(), causationId: null });
    }
    this.reconciled.add(tenant);
  }

  private async reconcileJob(tenant: string, jobId: string, cause: Cause): Promise<void> {
    const recorded = await this.store.read(streamIdOf(tenant, 'job', jobId));
    const job = recorded.reduce((s, r) => JOB.evolve(s, r.event), initialJobState);
    const waitingEvent = lastOf(recorded, 'job.waiting-for-lock');
    const granted: LockGranted[] = [];

    let entry = this.entryOf(tenant, jobId);
    const ended = !job.exists || job.deleted || isTerminal(job.status);
    if (entry && (ended || entry.requestedBy !== waitingEvent?.eventId)) {
      granted.push(...(await this.commandTable(tenant, { type: 'release', jobId, reason: releaseReasonOf(recorded) }, cause)));
      entry = undefined;
    }
    if (job.status === 'WAITING_FOR_LOCK' && waitingEvent) {
      if (!entry) {
        granted.push(
          ...(await this.commandTable(
            tenant,
            { type: 'request', jobId, locks: job.locks, maxLocks: this.options.maxLocksPerJob },
            { correlationId: waitingEvent.correlationId, causationId: waitingEvent.eventId },
          )),
        );
      } else if (entry.holding) {
        // The table already says it holds them: only the job's own record of the grant is missing.
        await this.grantJob(tenant, jobId, cause);
      }
    }
    // This job's own grant needs no second read of its stream: it was folded just above.
    await this.grantJobs(tenant, granted, { jobId, known: { state: job, revision: recorded.length - 1 } });
  }

  private entryOf(tenant: string, jobId: string) {
    const state = this.tables.cached(tenant)?.state;
    const request = state?.table.jobs.get(jobId);
    if (!state || !request) return undefined;
    return { requestedBy: state.requestedBy.get(jobId) ?? null, holding: request.grantedAt !== null };
  }

  /**
   * One command on the tenant's table; returns the grants it produced. A request the table already
   * has (ILLEGAL_TRANSITION) or a release of a job it does not know (NOT_FOUND) means another
   * delivery got there first: nothing to do. Bad lock input in the log is reported, not retried.
   */
  private async commandTable(tenant: string, command: LockTableCommand, cause: Cause, actor = LOCK_MANAGER_ACTOR): Promise<LockGranted[]> {
    const ctx = this.context(tenant, cause, actor);
    try {
      const handled = await handleCommand(
        this.store,
        lockTableStreamId(tenant),
        TABLE,
        (state) => decideLockTable(command, state.table, ctx),
        { known: this.tables.cached(tenant) },
      );
      this.tables.remember(tenant, { state: handled.state, revision: handled.revision });
      return handled.events.filter((e): e is LockGranted => e.type === 'lock.granted');
    } catch (error) {
      if (!isDomainError(error)) throw error;
      // A force release is an admin's request: its refusal goes back to the admin.
      if (command.type === 'forceRelease') throw error;
      // The cached table may have been behind; the next command starts from what is stored.
      await this.tables.load(tenant);
      if (error.code !== 'ILLEGAL_TRANSITION' && error.code !== 'NOT_FOUND') {
        this.options.warn?.(`lock ${command.type} refused: ${error.message}`, { tenant, command, code: error.code });
      }
      return [];
    }
  }

  private async grantJobs(tenant: string, granted: readonly LockGranted[], loaded?: { jobId: string; known: Loaded<JobState> }): Promise<void> {
    for (const grant of granted) {
      const known = grant.data.jobId === loaded?.jobId ? loaded.known : undefined;
      await this.grantJob(tenant, grant.data.jobId, { correlationId: grant.correlationId, causationId: grant.eventId }, known);
    }
  }

  /**
   * Moves the job WAITING_FOR_LOCK → QUEUED. A job no longer waiting (cancelled meanwhile, or the
   * grant already recorded by an earlier delivery) refuses, and that is fine: a cancelled job's own
   * `job.cancelled` releases what it was just granted.
   */
  private async grantJob(tenant: string, jobId: string, cause: Cause, known?: Loaded<JobState>): Promise<void> {
    const ctx = this.context(tenant, cause, LOCK_MANAGER_ACTOR);
    try {
      await handleCommand(this.store, streamIdOf(tenant, 'job', jobId), JOB, (state) => decideJob({ type: 'grantLock' }, state, ctx), {
        known,
      });
    } catch (error) {
      if (!isDomainError(error)) throw error;
    }
  }

  private context(tenant: string, cause: Cause, actor: string): EventContext {
    return { tenant, now: new Date(), newId: randomUUID, actor, ...cause };
  }
}

function lastOf(recorded: readonly RecordedEvent[], type: string): DomainEvent | undefined {
  for (let i = recorded.length - 1; i >= 0; i--) if (recorded[i].event.type === type) return recorded[i].event;
  return undefined;
}

/** Why the job's locks go: read from how its last attempt ended. */
function releaseReasonOf(recorded: readonly RecordedEvent[]): LockReleaseReason {
  for (let i = recorded.length - 1; i >= 0; i--) {
    const event = recorded[i].event;
    if (event.type === 'job.cancelled') return 'cancelled';
    // Only the watcher fails a job that is TIMED_OUT: it ran past its second deadline.
    if (event.type === 'job.failed') return (event.data as { executorId?: string }).executorId === WATCHER ? 'timed-out' : 'job-ended';
    if (event.type === 'job.completed') return 'job-ended';
  }
  return 'job-ended';
}
