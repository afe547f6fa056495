import {
  evolveLockTable,
  initialLockTableState,
  lockTableStreamId,
  type LockEvent,
  type LockTableState,
} from '@jobstream/domain';
import { load, type Aggregate, type EventStore, type Loaded } from '@jobstream/event-store';

/**
 * The lock table plus, per job in it, the `job.waiting-for-lock` event its request answered (the
 * envelope's causationId of `lock.requested`). That link is what tells a stale entry from a live
 * one: after a retry the job waits again under a new event, so an entry made for the old one
 * belongs to an attempt that has ended.
 */
export interface TableState {
  table: LockTableState;
  requestedBy: ReadonlyMap<string, string | null>;
}

export const TABLE: Aggregate<TableState> = {
  initial: { table: initialLockTableState, requestedBy: new Map() },
  evolve: (state, event) => {
    const e = event as LockEvent;
    const table = evolveLockTable(state.table, e);
    switch (e.type) {
      case 'lock.requested':
        return { table, requestedBy: new Map(state.requestedBy).set(e.data.jobId, e.causationId) };
      case 'lock.released':
      case 'lock.force-released': {
        const requestedBy = new Map(state.requestedBy);
        for (const jobId of e.type === 'lock.released' ? [e.data.jobId] : e.data.jobIds) requestedBy.delete(jobId);
        return { table, requestedBy };
      }
      default:
        return { ...state, table };
    }
  },
};

/**
 * Each tenant's table folded from its stream, kept between commands so a command costs one append
 * rather than a read of the whole stream. It is a cache of the log and nothing more: a stale copy
 * (another writer) fails its append on the expected revision and handleCommand reloads.
 * Work on one tenant runs strictly one after another, so in-process writers never race each other.
 */
export class LockTables {
  private readonly loaded = new Map<string, Loaded<TableState>>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly store: EventStore) {}

  /** Runs `work` after every earlier piece of work on the tenant has settled. */
  serialize<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(tenant) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(tenant, settled);
    void settled.then(() => {
      if (this.queues.get(tenant) === settled) this.queues.delete(tenant);
    });
    return next;
  }

  cached(tenant: string): Loaded<TableState> | undefined {
    return this.loaded.get(tenant);
  }

  remember(tenant: string, loaded: Loaded<TableState>): void {
    this.loaded.set(tenant, loaded);
  }

  /** Folds the whole stream: the first time a tenant is seen. */
  async load(tenant: string): Promise<Loaded<TableState>> {
    const loaded = await load(this.store, lockTableStreamId(tenant), TABLE);
    this.loaded.set(tenant, loaded);
    return loaded;
  }
}
