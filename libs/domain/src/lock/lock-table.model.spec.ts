import fc from 'fast-check';
import { DomainError } from '../shared/domain-error';
import type { EventContext } from '../shared/envelope';
import {
  decideLockTable,
  evolveLockTable,
  initialLockTableState,
  type LockEvent,
  type LockMode,
  type LockTableCommand,
  type LockTableState,
} from './index';

/**
 * The reference: no queues, no incremental bookkeeping. Holders and waiters are recomputed from a
 * flat list of requests in arrival order, and grants are found by searching until nothing changes.
 */
interface ModelLock {
  resource: string;
  mode: LockMode;
}
interface ModelJob {
  id: string;
  locks: ModelLock[];
  arrival: number;
  granted: boolean;
}

class ReferenceLockTable {
  jobs: ModelJob[] = [];
  private arrivals = 0;

  has(id: string): boolean {
    return this.jobs.some((job) => job.id === id);
  }
  holding(): ModelJob[] {
    return this.jobs.filter((job) => job.granted);
  }
  waiting(): ModelJob[] {
    return this.jobs.filter((job) => !job.granted);
  }
  holdersOf(resource: string): ModelJob[] {
    return this.holding().filter((job) => modeOn(job, resource) !== undefined);
  }
  waitersOf(resource: string): ModelJob[] {
    return this.waiting().filter((job) => modeOn(job, resource) !== undefined);
  }
  request(id: string, locks: ModelLock[]): string[] {
    this.jobs.push({ id, locks, arrival: this.arrivals++, granted: false });
    return this.settle();
  }
  remove(ids: string[]): string[] {
    this.jobs = this.jobs.filter((job) => !ids.includes(job.id));
    return this.settle();
  }

  private canGrant(job: ModelJob): boolean {
    return job.locks.every(({ resource, mode }) => {
      const holders = this.holdersOf(resource);
      const fits = mode === 'SHARED' ? holders.every((h) => modeOn(h, resource) === 'SHARED') : holders.length === 0;
      const queuedBefore = this.waitersOf(resource).some((other) => other.arrival < job.arrival);
      return fits && !queuedBefore;
    });
  }

  private settle(): string[] {
    const granted: string[] = [];
    for (;;) {
      const next = this.waiting().find((job) => this.canGrant(job));
      if (!next) return granted;
      next.granted = true;
      granted.push(next.id);
    }
  }
}

const modeOn = (job: ModelJob, resource: string): LockMode | undefined =>
  job.locks.find((lock) => lock.resource === resource)?.mode;

const RESOURCES = ['r0', 'r1', 'r2', 'r3'];

type Action =
  | { kind: 'request'; locks: ModelLock[] }
  | { kind: 'release'; pick: number; reason: 'job-ended' | 'timed-out' }
  | { kind: 'cancel'; pick: number }
  | { kind: 'forceRelease'; resource: string }
  | { kind: 'requestAgain'; pick: number }
  | { kind: 'crash' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      locks: fc.uniqueArray(
        fc.record({ resource: fc.constantFrom(...RESOURCES), mode: fc.constantFrom<LockMode>('SHARED', 'EXCLUSIVE') }),
        { selector: (lock) => lock.resource, minLength: 1, maxLength: RESOURCES.length },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      pick: fc.nat(),
      reason: fc.constantFrom('job-ended' as const, 'timed-out' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('forceRelease' as const), resource: fc.constantFrom(...RESOURCES) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('requestAgain' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

const fold = (events: LockEvent[]): LockTableState => events.reduce(evolveLockTable, initialLockTableState);
const pickFrom = <T>(items: T[], pick: number): T | undefined => (items.length ? items[pick % items.length] : undefined);
const grantsIn = (events: LockEvent[]): string[] =>
  events.filter((event) => event.type === 'lock.granted').map((event) => event.data.jobId as string);
const conflicts = (a: LockMode, b: LockMode) => a === 'EXCLUSIVE' || b === 'EXCLUSIVE';

function lockManager() {
  let tick = 0;
  let ids = 0;
  let state: LockTableState = initialLockTableState;
  const history: LockEvent[] = [];
  const ctx = (): EventContext => ({
    tenant: 'acme',
    now: new Date(Date.UTC(2026, 0, 1) + 1000 * tick++),
    newId: () => `e-${++ids}`,
    actor: 'user:admin',
    correlationId: 'c',
    causationId: null,
  });
  return {
    history,
    get state() {
      return state;
    },
    run(command: LockTableCommand): LockEvent[] {
      const events = decideLockTable(command, state, ctx());
      history.push(...events);
      state = events.reduce(evolveLockTable, state);
      return events;
    },
    rejects(command: LockTableCommand): string {
      try {
        decideLockTable(command, state, ctx());
      } catch (error) {
        if (error instanceof DomainError) return error.code;
        throw error;
      }
      return 'accepted';
    },
    crash() {
      state = fold(history);
    },
  };
}

function checkInvariants(state: LockTableState, model: ReferenceLockTable, history: LockEvent[], granted: string[]) {
  for (const [resource, { holders, waiters }] of state.resources) {
    if (holders.some((holder) => holder.mode === 'EXCLUSIVE')) expect(holders).toHaveLength(1);
    expect(holders.length + waiters.length).toBeGreaterThan(0);
    // A queue with nobody holding the resource can only wait on another resource of its head.
    if (holders.length === 0 && waiters.length > 0) {
      const head = state.jobs.get(waiters[0].jobId);
      expect(head?.locks.some((lock) => lock.resource !== resource)).toBe(true);
    }
  }

  for (const job of state.jobs.values()) {
    for (const { resource, mode } of job.locks) {
      const entry = state.resources.get(resource);
      const held = entry?.holders.filter((holder) => holder.jobId === job.jobId && holder.mode === mode) ?? [];
      const queued = entry?.waiters.filter((waiter) => waiter.jobId === job.jobId && waiter.mode === mode) ?? [];
      expect([held.length, queued.length]).toEqual(job.grantedAt === null ? [0, 1] : [1, 0]);
    }
  }
  const entries = [...state.resources.values()].flatMap(({ holders, waiters }) => [...holders, ...waiters]);
  expect(entries).toHaveLength([...state.jobs.values()].reduce((sum, job) => sum + job.locks.length, 0));

  for (const resource of RESOURCES) {
    const entry = state.resources.get(resource);
    expect((entry?.holders ?? []).map((holder) => holder.jobId).sort()).toEqual(
      model.holdersOf(resource).map((job) => job.id).sort(),
    );
    expect((entry?.waiters ?? []).map((waiter) => waiter.jobId)).toEqual(model.waitersOf(resource).map((job) => job.id));
  }

  for (const jobId of granted) {
    const job = state.jobs.get(jobId);
    if (!job) continue;
    for (const { resource, mode } of job.locks) {
      const overtaken = (state.resources.get(resource)?.waiters ?? []).filter(
        (waiter) => waiter.seq < job.seq && conflicts(waiter.mode, mode),
      );
      expect(overtaken).toEqual([]);
    }
  }

  expect(fold(history)).toEqual(state);
}

describe('lock table against a reference model', () => {
  it('agrees on every grant through random requests, releases, cancels, force releases and restarts', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 60 }), (actions) => {
        const manager = lockManager();
        const model = new ReferenceLockTable();
        const cancelledWhileWaiting = new Set<string>();
        let nextJob = 0;

        const step = (command: LockTableCommand, expectedGrants: () => string[]) => {
          const events = manager.run(command);
          const granted = grantsIn(events);
          expect(granted).toEqual(expectedGrants());
          checkInvariants(manager.state, model, manager.history, granted);
        };

        for (const action of actions) {
          switch (action.kind) {
            case 'request': {
              const jobId = `j${nextJob++}`;
              step({ type: 'request', jobId, locks: action.locks }, () => model.request(jobId, action.locks));
              break;
            }
            case 'release': {
              const job = pickFrom(model.holding(), action.pick);
              if (!job) {
                expect(manager.rejects({ type: 'release', jobId: `j${nextJob}`, reason: action.reason })).toBe('NOT_FOUND');
                break;
              }
              step({ type: 'release', jobId: job.id, reason: action.reason }, () => model.remove([job.id]));
              break;
            }
            case 'cancel': {
              const job = pickFrom(model.waiting(), action.pick);
              if (!job) break;
              cancelledWhileWaiting.add(job.id);
              step({ type: 'release', jobId: job.id, reason: 'cancelled' }, () => model.remove([job.id]));
              break;
            }
            case 'forceRelease': {
              const holders = model.holdersOf(action.resource).map((job) => job.id);
              if (holders.length === 0) {
                expect(manager.rejects({ type: 'forceRelease', resource: action.resource })).toBe('NOT_FOUND');
                break;
              }
              step({ type: 'forceRelease', resource: action.resource }, () => model.remove(holders));
              break;
            }
            case 'requestAgain': {
              const job = pickFrom(model.jobs, action.pick);
              if (!job) break;
              expect(manager.rejects({ type: 'request', jobId: job.id, locks: job.locks })).toBe('ILLEGAL_TRANSITION');
              break;
            }
            case 'crash':
              manager.crash();
              checkInvariants(manager.state, model, manager.history, []);
              break;
          }
        }

        // Drain: while anyone waits, someone must hold something, or the queue would never move.
        while (model.jobs.length > 0) {
          const [first] = model.holding();
          expect(first).toBeDefined();
          step({ type: 'release', jobId: first.id, reason: 'job-ended' }, () => model.remove([first.id]));
        }
        expect(manager.state.jobs.size).toBe(0);
        expect(manager.state.resources.size).toBe(0);

        const grantCounts = new Map<string, number>();
        for (const jobId of grantsIn(manager.history)) grantCounts.set(jobId, (grantCounts.get(jobId) ?? 0) + 1);
        for (let n = 0; n < nextJob; n++) {
          const jobId = `j${n}`;
          expect([jobId, grantCounts.get(jobId) ?? 0]).toEqual([jobId, cancelledWhileWaiting.has(jobId) ? 0 : 1]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
