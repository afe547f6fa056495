import { DomainError } from '../shared/domain-error';
import type { EventContext } from '../shared/envelope';
import {
  decideLockTable,
  evolveLockTable,
  holdersOf,
  initialLockTableState,
  type LockEvent,
  type LockTableCommand,
  type LockTableState,
  lockTableStreamId,
  lockTableView,
  waitersOf,
} from './index';

/** Drives the decider the way the lock-manager service will: decide, append, evolve. */
function table() {
  let tick = 0;
  let ids = 0;
  let state: LockTableState = initialLockTableState;
  const history: LockEvent[] = [];
  const ctx = (actor = 'service:lock-manager'): EventContext => ({
    tenant: 'acme',
    now: new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)),
    newId: () => `e-${++ids}`,
    actor,
    correlationId: 'c-1',
    causationId: null,
  });
  const run = (command: LockTableCommand, actor?: string): LockEvent[] => {
    const events = decideLockTable(command, state, ctx(actor));
    state = events.reduce(evolveLockTable, state);
    history.push(...events);
    return events;
  };
  const request = (jobId: string, ...locks: string[]) =>
    run({
      type: 'request',
      jobId,
      locks: locks.map((lock) => {
        const [resource, mode] = lock.split('/');
        return { resource, mode: mode === 'X' ? 'EXCLUSIVE' : 'SHARED' };
      }),
    });
  const release = (jobId: string, reason: 'job-ended' | 'cancelled' | 'timed-out' = 'job-ended') =>
    run({ type: 'release', jobId, reason });
  const fail = (command: LockTableCommand): DomainError => {
    try {
      decideLockTable(command, state, ctx());
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
    throw new Error('expected a DomainError');
  };
  return {
    run,
    request,
    release,
    fail,
    history,
    get state() {
      return state;
    },
  };
}

const summary = (events: LockEvent[]) => events.map((event) => `${event.type} ${JSON.stringify(event.data)}`);
const grantedJobs = (events: LockEvent[]) =>
  events.filter((event) => event.type === 'lock.granted').map((event) => event.data.jobId as string);
const holderIds = (state: LockTableState, resource: string) => holdersOf(state, resource).map((h) => h.jobId);
const waiterIds = (state: LockTableState, resource: string) => waitersOf(state, resource).map((w) => w.jobId);

describe('lock table: granting', () => {
  it('grants a free lock at once: requested then granted, on the tenant lock-table stream', () => {
    const t = table();
    const events = t.request('j1', 'asset:42/X');
    expect(summary(events)).toEqual([
      'lock.requested {"jobId":"j1","locks":[{"resource":"asset:42","mode":"EXCLUSIVE"}]}',
      'lock.granted {"jobId":"j1","locks":[{"resource":"asset:42","mode":"EXCLUSIVE"}]}',
    ]);
    expect(events.map((event) => event.streamId)).toEqual(['acme.lock.table', 'acme.lock.table']);
    expect(lockTableStreamId('acme')).toBe('acme.lock.table');
    expect(events[1]).toMatchObject({ eventId: 'e-2', tenant: 'acme', actor: 'service:lock-manager', schemaVersion: 1 });
  });

  it('lets SHARED holders share a resource', () => {
    const t = table();
    t.request('j1', 'a/S');
    expect(grantedJobs(t.request('j2', 'a/S'))).toEqual(['j2']);
    expect(holderIds(t.state, 'a')).toEqual(['j1', 'j2']);
  });

  it.each([
    ['EXCLUSIVE after SHARED', 'a/S', 'a/X'],
    ['SHARED after EXCLUSIVE', 'a/X', 'a/S'],
    ['EXCLUSIVE after EXCLUSIVE', 'a/X', 'a/X'],
  ])('keeps an EXCLUSIVE lock alone: %s waits', (_name, first, second) => {
    const t = table();
    t.request('j1', first);
    const events = t.request('j2', second);
    expect(events.map((event) => event.type)).toEqual(['lock.requested']);
    expect(holderIds(t.state, 'a')).toEqual(['j1']);
    expect(waiterIds(t.state, 'a')).toEqual(['j2']);
  });

  it('grants all of a job\'s locks or none: a job needing a busy and a free resource holds neither', () => {
    const t = table();
    t.request('j1', 'b/X');
    expect(grantedJobs(t.request('j2', 'a/X', 'b/X'))).toEqual([]);
    expect(holderIds(t.state, 'a')).toEqual([]);
    expect(waiterIds(t.state, 'a')).toEqual(['j2']);
    expect(grantedJobs(t.release('j1'))).toEqual(['j2']);
    expect(holderIds(t.state, 'a')).toEqual(['j2']);
    expect(holderIds(t.state, 'b')).toEqual(['j2']);
  });

  it('does not let a later SHARED request jump an earlier waiting EXCLUSIVE (no starvation)', () => {
    const t = table();
    t.request('s1', 'a/S');
    t.request('x1', 'a/X');
    expect(grantedJobs(t.request('s2', 'a/S'))).toEqual([]);
    expect(waiterIds(t.state, 'a')).toEqual(['x1', 's2']);

    expect(grantedJobs(t.release('s1'))).toEqual(['x1']);
    expect(grantedJobs(t.release('x1'))).toEqual(['s2']);
    expect(t.state.jobs.size).toBe(1);
  });

  it('queues strictly per resource: a waiter that could share still waits behind an earlier waiter', () => {
    const t = table();
    t.request('j1', 'b/X');
    t.request('j2', 'a/S', 'b/S');
    expect(grantedJobs(t.request('j3', 'a/S'))).toEqual([]);
    expect(grantedJobs(t.release('j1'))).toEqual(['j2', 'j3']);
  });

  it('does not hold an unrelated resource back: a waiter on another resource is not in the way', () => {
    const t = table();
    t.request('j1', 'a/X');
    t.request('j2', 'a/X');
    expect(grantedJobs(t.request('j3', 'b/X'))).toEqual(['j3']);
  });
});

describe('lock table: releasing', () => {
  it('grants waiters in arrival order on release, every compatible one at once', () => {
    const t = table();
    t.request('x1', 'a/X');
    t.request('s1', 'a/S');
    t.request('s2', 'a/S');
    t.request('x2', 'a/X');
    t.request('s3', 'a/S');
    const events = t.release('x1');
    expect(events[0]).toMatchObject({ type: 'lock.released', data: { jobId: 'x1', reason: 'job-ended' } });
    expect(grantedJobs(events)).toEqual(['s1', 's2']);
    expect(grantedJobs(t.release('s1'))).toEqual([]);
    expect(grantedJobs(t.release('s2'))).toEqual(['x2']);
    expect(grantedJobs(t.release('x2'))).toEqual(['s3']);
  });

  it('cancelling a waiting job takes it out of the queue and unblocks the jobs behind it', () => {
    const t = table();
    t.request('s1', 'a/S');
    t.request('x1', 'a/X');
    t.request('s2', 'a/S');
    const events = t.release('x1', 'cancelled');
    expect(summary(events)).toEqual([
      'lock.released {"jobId":"x1","reason":"cancelled"}',
      'lock.granted {"jobId":"s2","locks":[{"resource":"a","mode":"SHARED"}]}',
    ]);
    expect(holderIds(t.state, 'a')).toEqual(['s1', 's2']);
    expect(waiterIds(t.state, 'a')).toEqual([]);
  });

  it('forgets a resource once nobody holds or waits for it', () => {
    const t = table();
    t.request('j1', 'a/X', 'b/S');
    t.release('j1', 'timed-out');
    expect(t.state.resources.size).toBe(0);
    expect(t.state.jobs.size).toBe(0);
    expect(lockTableView(t.state)).toEqual([]);
  });

  it('rejects releasing a job the table does not know, including one released already', () => {
    const t = table();
    t.request('j1', 'a/X');
    t.release('j1');
    expect(t.fail({ type: 'release', jobId: 'j1', reason: 'job-ended' })).toMatchObject({
      code: 'NOT_FOUND',
      details: { jobId: 'j1' },
    });
    expect(t.fail({ type: 'release', jobId: 'ghost', reason: 'cancelled' }).code).toBe('NOT_FOUND');
  });

  it.each([['holding', 'a/S'], ['waiting', 'b/X']])(
    'rejects a second request from a job already %s',
    (status, lock) => {
      const t = table();
      t.request('other', 'b/X');
      t.request('j1', lock);
      expect(t.fail({ type: 'request', jobId: 'j1', locks: [{ resource: 'c', mode: 'SHARED' }] })).toMatchObject({
        code: 'ILLEGAL_TRANSITION',
        details: { jobId: 'j1', status },
      });
    },
  );
});

describe('lock table: force release', () => {
  it('releases every holder of the resource with all of its locks, names the admin, and grants the next', () => {
    const t = table();
    t.request('j1', 'a/S', 'b/X');
    t.request('j2', 'a/S');
    t.request('j3', 'a/X');
    t.request('j4', 'b/S');
    const events = t.run({ type: 'forceRelease', resource: 'a', reason: 'stuck since friday' }, 'user:admin');
    expect(events[0]).toMatchObject({
      type: 'lock.force-released',
      actor: 'user:admin',
      data: { resource: 'a', jobIds: ['j1', 'j2'], reason: 'stuck since friday' },
    });
    expect(grantedJobs(events)).toEqual(['j3', 'j4']);
    expect(t.state.jobs.has('j1')).toBe(false);
    expect(holderIds(t.state, 'b')).toEqual(['j4']);
  });

  it('leaves the reason out of the event when none is given', () => {
    const t = table();
    t.request('j1', 'a/X');
    const [event] = t.run({ type: 'forceRelease', resource: 'a' }, 'user:admin');
    expect(event.data).toEqual({ resource: 'a', jobIds: ['j1'] });
  });

  it('rejects force-releasing a resource nobody holds, even when jobs wait for it', () => {
    const t = table();
    t.request('j1', 'b/X');
    t.request('j2', 'a/X', 'b/X');
    expect(t.fail({ type: 'forceRelease', resource: 'a' })).toMatchObject({
      code: 'NOT_FOUND',
      details: { resource: 'a' },
    });
    expect(t.fail({ type: 'forceRelease', resource: 'nowhere' }).code).toBe('NOT_FOUND');
    expect(t.fail({ type: 'forceRelease', resource: ' ' })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'resource' },
    });
  });
});

describe('lock table: bad input', () => {
  const lock = (resource: string, mode = 'SHARED') => ({ resource, mode });
  it.each([
    ['an unknown mode', [lock('a'), lock('b'), lock('c', 'WRITE')], undefined, 'locks[2].mode'],
    ['a lower-case mode', [lock('a', 'shared')], undefined, 'locks[0].mode'],
    ['an empty resource', [lock('a'), lock('')], undefined, 'locks[1].resource'],
    ['a blank resource', [lock('  ')], undefined, 'locks[0].resource'],
    ['a resource that is not a string', [{ resource: 42, mode: 'SHARED' }], undefined, 'locks[0].resource'],
    ['a lock that is not an object', [lock('a'), null], undefined, 'locks[1]'],
    ['a resource twice', [lock('a'), lock('b'), lock('a', 'EXCLUSIVE')], undefined, 'locks[2].resource'],
    ['no locks at all', [], undefined, 'locks'],
    ['more than 16 locks by default', Array.from({ length: 17 }, (_, i) => lock(`r${i}`)), undefined, 'locks'],
    ['more than a configured maximum', [lock('a'), lock('b'), lock('c')], 2, 'locks'],
    ['a maximum that is not a positive integer', [lock('a')], 0, 'maxLocks'],
  ])('rejects %s with INVALID_ARGUMENT naming the field', (_name, locks, maxLocks, field) => {
    const t = table();
    const error = t.fail({ type: 'request', jobId: 'j1', locks: locks as never, maxLocks });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details.field).toBe(field);
  });

  it('accepts exactly the maximum', () => {
    const t = table();
    const locks = Array.from({ length: 16 }, (_, i) => lock(`r${i}`));
    expect(grantedJobs(t.run({ type: 'request', jobId: 'j1', locks }))).toEqual(['j1']);
  });

  it('keeps only resource and mode of each declared lock in the events', () => {
    const t = table();
    const [requested] = t.run({
      type: 'request',
      jobId: 'j1',
      locks: [{ resource: 'a', mode: 'SHARED', note: 'ignored' } as never],
    });
    expect(requested.data).toEqual({ jobId: 'j1', locks: [{ resource: 'a', mode: 'SHARED' }] });
  });

  it.each([
    ['request', 'jobId', { type: 'request', jobId: '', locks: [lock('a')] }],
    ['release', 'jobId', { type: 'release', jobId: '', reason: 'job-ended' }],
    ['release', 'reason', { type: 'release', jobId: 'j1', reason: 'bored' }],
  ])('rejects a %s with a bad %s', (_kind, field, command) => {
    const t = table();
    t.request('j1', 'a/S');
    expect(t.fail(command as LockTableCommand)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field } });
  });
});

describe('lock table: projection', () => {
  it('rebuilds the same holders, waiters and arrival order from its events alone', () => {
    const t = table();
    t.request('s1', 'a/S');
    t.request('x1', 'a/X', 'b/X');
    t.request('s2', 'a/S');
    t.request('j4', 'c/X');
    t.release('j4');
    const rebuilt = t.history.reduce(evolveLockTable, initialLockTableState);
    expect(rebuilt).toEqual(t.state);
    const afterRestart = decideLockTable({ type: 'release', jobId: 's1', reason: 'job-ended' }, rebuilt, {
      tenant: 'acme',
      now: new Date('2026-01-02T00:00:00Z'),
      newId: () => 'e-restart',
      actor: 'service:lock-manager',
      correlationId: 'c-2',
      causationId: null,
    });
    expect(grantedJobs(afterRestart)).toEqual(['x1']);
  });

  it('shows the table for the API: resources sorted, holders and waiters with mode and since', () => {
    const t = table();
    t.request('j1', 'b/X');
    t.request('j2', 'b/S', 'a/S');
    expect(lockTableView(t.state)).toEqual([
      { resource: 'a', holders: [], waiters: [{ jobId: 'j2', mode: 'SHARED', since: '2026-01-01T00:00:01.000Z' }] },
      {
        resource: 'b',
        holders: [{ jobId: 'j1', mode: 'EXCLUSIVE', since: '2026-01-01T00:00:00.000Z' }],
        waiters: [{ jobId: 'j2', mode: 'SHARED', since: '2026-01-01T00:00:01.000Z' }],
      },
    ]);
  });
});
