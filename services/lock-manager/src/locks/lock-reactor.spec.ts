import { WATCHER, type JobStatus } from '@jobstream/domain';
import { createEventStore, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { CheckpointStore } from '@jobstream/messaging';
import { startNatsServer, waitFor, type NatsServerHandle } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { LOCK_MANAGER_CHECKPOINT, LockReactorService } from './lock-reactor.service';
import {
  commandTableDirectly,
  driveJob,
  historyOf,
  jobOf,
  runToCompletion,
  submitJob,
  tableEvents,
} from './lock-manager.test-helper';

jest.setTimeout(60_000);

/** Every test works in its own tenant, so one server and one reactor serve them all. */
let tenantCounter = 0;
const freshTenant = () => `t${++tenantCounter}`;

describe('lock manager reactor (real nats-server, real JetStream store)', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let store: EventStore;
  let reactor: LockReactorService | undefined;

  const startReactor = async () => {
    reactor = new LockReactorService(store, nc);
    await reactor.onApplicationBootstrap();
    return reactor;
  };
  const stopReactor = async () => {
    await reactor?.beforeApplicationShutdown();
    reactor = undefined;
  };
  const statusOf = async (tenant: string, jobId: string) => (await jobOf(store, tenant, jobId)).status;
  const until = (tenant: string, jobId: string, status: JobStatus) =>
    waitFor(async () => (await statusOf(tenant, jobId)) === status, 15_000);
  const view = (tenant: string) => reactor!.manager.view(tenant);

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    store = await createEventStore(loadEventStoreConfig({ NATS_URL: server.url }), { nats: nc });
    await startReactor();
  });

  afterAll(async () => {
    await stopReactor();
    await store?.close();
    await nc?.close();
    await server?.stop();
  });

  it('runs two EXCLUSIVE jobs one after the other', async () => {
    const t = freshTenant();
    await submitJob(store, t, 'a', [{ resource: 'asset:1', mode: 'EXCLUSIVE' }]);
    await until(t, 'a', 'QUEUED');
    await submitJob(store, t, 'b', [{ resource: 'asset:1', mode: 'EXCLUSIVE' }]);
    await waitFor(async () => (await view(t))[0]?.waiters.length === 1);
    expect(await statusOf(t, 'b')).toBe('WAITING_FOR_LOCK');
    expect(await view(t)).toEqual([
      {
        resource: 'asset:1',
        holders: [{ jobId: 'a', mode: 'EXCLUSIVE', since: expect.any(String) }],
        waiters: [{ jobId: 'b', mode: 'EXCLUSIVE', since: expect.any(String) }],
      },
    ]);

    await runToCompletion(store, t, 'a');
    await until(t, 'b', 'QUEUED');
    expect(await historyOf(store, t, 'b')).toEqual(['job.submitted', 'job.waiting-for-lock', 'job.lock-granted']);
    await runToCompletion(store, t, 'b');
    await waitFor(async () => (await view(t)).length === 0);
    expect((await tableEvents(store, t)).map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([
      ['lock.requested', undefined],
      ['lock.granted', undefined],
      ['lock.requested', undefined],
      ['lock.released', 'job-ended'],
      ['lock.granted', undefined],
      ['lock.released', 'job-ended'],
    ]);
  });

  it('grants SHARED locks together and keeps later SHARED requests behind a waiting EXCLUSIVE one', async () => {
    const t = freshTenant();
    await submitJob(store, t, 's1', [{ resource: 'r', mode: 'SHARED' }]);
    await submitJob(store, t, 's2', [{ resource: 'r', mode: 'SHARED' }]);
    await until(t, 's1', 'QUEUED');
    await until(t, 's2', 'QUEUED');
    await submitJob(store, t, 'x', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await submitJob(store, t, 's3', [{ resource: 'r', mode: 'SHARED' }]);
    await waitFor(async () => (await view(t))[0]?.waiters.length === 2);
    expect((await view(t))[0].waiters.map((w) => w.jobId)).toEqual(['x', 's3']);

    await runToCompletion(store, t, 's1');
    await runToCompletion(store, t, 's2');
    await until(t, 'x', 'QUEUED');
    expect(await statusOf(t, 's3')).toBe('WAITING_FOR_LOCK');
    await runToCompletion(store, t, 'x');
    await until(t, 's3', 'QUEUED');
  });

  it('grants all of a job\'s locks at once or none of them', async () => {
    const t = freshTenant();
    await submitJob(store, t, 'holder', [{ resource: 'r2', mode: 'EXCLUSIVE' }]);
    await until(t, 'holder', 'QUEUED');
    await submitJob(store, t, 'both', [
      { resource: 'r1', mode: 'EXCLUSIVE' },
      { resource: 'r2', mode: 'EXCLUSIVE' },
    ]);
    await waitFor(async () => (await view(t)).length === 2);
    const table = await view(t);
    expect(table.find((e) => e.resource === 'r1')).toMatchObject({ holders: [], waiters: [{ jobId: 'both' }] });
    await runToCompletion(store, t, 'holder');
    await until(t, 'both', 'QUEUED');
    expect((await view(t)).map((e) => e.holders.map((h) => h.jobId))).toEqual([['both'], ['both']]);
  });

  it('cancelling a waiting job takes it out of the queue: it is never granted', async () => {
    const t = freshTenant();
    await submitJob(store, t, 'a', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await until(t, 'a', 'QUEUED');
    await submitJob(store, t, 'b', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await submitJob(store, t, 'c', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await waitFor(async () => (await view(t))[0]?.waiters.length === 2);

    await driveJob(store, t, 'b', { type: 'requestCancel', reason: 'not needed' });
    await waitFor(async () => (await view(t))[0]?.waiters.length === 1);
    expect((await view(t))[0].waiters.map((w) => w.jobId)).toEqual(['c']);
    const released = (await tableEvents(store, t)).find((e) => e.type === 'lock.released');
    expect(released?.data).toEqual({ jobId: 'b', reason: 'cancelled' });

    await runToCompletion(store, t, 'a');
    await until(t, 'c', 'QUEUED');
    expect(await historyOf(store, t, 'b')).toEqual(['job.submitted', 'job.waiting-for-lock', 'job.cancel-requested', 'job.cancelled']);
  });

  it('a TIMED_OUT job keeps its locks; failed past its second deadline it releases them', async () => {
    const t = freshTenant();
    await submitJob(store, t, 'a', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await until(t, 'a', 'QUEUED');
    await submitJob(store, t, 'b', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await driveJob(store, t, 'a', { type: 'start', executorId: 'e1' });
    await driveJob(store, t, 'a', { type: 'timeOut', executorId: 'e1' });
    await waitFor(async () => (await view(t))[0]?.waiters.length === 1);
    // The time-out went through the reactor too: had it released, b would be queued by now.
    await driveJob(store, t, 'a', { type: 'start', executorId: 'e2' });
    await driveJob(store, t, 'a', { type: 'timeOut', executorId: 'e2' });
    expect((await view(t))[0].holders.map((h) => h.jobId)).toEqual(['a']);

    await driveJob(store, t, 'a', { type: 'fail', executorId: WATCHER, message: 'second deadline passed' });
    await until(t, 'b', 'QUEUED');
    expect((await tableEvents(store, t)).find((e) => e.type === 'lock.released')?.data).toEqual({ jobId: 'a', reason: 'timed-out' });
  });

  it('a retried job queues for its locks again, behind those already waiting', async () => {
    const t = freshTenant();
    await submitJob(store, t, 'a', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await until(t, 'a', 'QUEUED');
    await submitJob(store, t, 'b', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await driveJob(store, t, 'a', { type: 'start', executorId: 'e1' });
    await driveJob(store, t, 'a', { type: 'timeOut', executorId: 'e1' });
    await driveJob(store, t, 'a', { type: 'retry' });
    await until(t, 'b', 'QUEUED');
    await waitFor(async () => (await view(t))[0]?.waiters.length === 1);
    expect(await view(t)).toMatchObject([{ holders: [{ jobId: 'b' }], waiters: [{ jobId: 'a' }] }]);
  });

  it('force release records the admin, drops the holder and grants the next waiter', async () => {
    const t = freshTenant();
    await submitJob(store, t, 'a', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await until(t, 'a', 'QUEUED');
    await submitJob(store, t, 'b', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await waitFor(async () => (await view(t))[0]?.waiters.length === 1);

    const entry = await reactor!.manager.forceRelease({ tenant: t, resource: 'r', actor: 'admin:alice', reason: 'stuck' });
    expect(entry).toMatchObject({ resource: 'r', holders: [{ jobId: 'b' }], waiters: [] });
    await until(t, 'b', 'QUEUED');
    const forced = (await tableEvents(store, t)).find((e) => e.type === 'lock.force-released');
    expect(forced).toMatchObject({ actor: 'admin:alice', data: { resource: 'r', jobIds: ['a'], reason: 'stuck' } });
    await expect(reactor!.manager.forceRelease({ tenant: t, resource: 'nobody-holds-this', actor: 'admin:alice' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('duplicate delivery of a commit changes nothing', async () => {
    const t = freshTenant();
    await submitJob(store, t, 'a', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await submitJob(store, t, 'b', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await until(t, 'a', 'QUEUED');
    await waitFor(async () => (await view(t))[0]?.waiters.length === 1);
    await runToCompletion(store, t, 'a');
    await until(t, 'b', 'QUEUED');
    const before = await tableEvents(store, t);

    for (const jobId of ['a', 'b']) {
      const events = (await store.read(`${t}.job.${jobId}`)).map((r) => r.event);
      await reactor!.manager.onCommit(events);
      await reactor!.manager.onCommit(events);
    }
    expect(await tableEvents(store, t)).toEqual(before);
    expect(await historyOf(store, t, 'b')).toEqual(['job.submitted', 'job.waiting-for-lock', 'job.lock-granted']);
  });

  it('rebuilds the same holders and waiters after a restart, and replaying the whole log appends nothing', async () => {
    const t = freshTenant();
    await submitJob(store, t, 'a', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await submitJob(store, t, 'b', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await until(t, 'a', 'QUEUED');
    await stopReactor();
    // While it is down: one more waiter, and the holder finishes.
    await submitJob(store, t, 'c', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await runToCompletion(store, t, 'a');

    await startReactor();
    await until(t, 'b', 'QUEUED');
    await waitFor(async () => (await view(t))[0]?.waiters.length === 1);
    const table = await view(t);
    expect(table).toMatchObject([{ holders: [{ jobId: 'b' }], waiters: [{ jobId: 'c' }] }]);
    const events = await tableEvents(store, t);

    await stopReactor();
    const checkpoints = await CheckpointStore.open(nc, LOCK_MANAGER_CHECKPOINT);
    const kv = await nc.jetstream().views.kv('jobstream_checkpoints');
    await kv.delete(LOCK_MANAGER_CHECKPOINT);
    expect(await checkpoints.load()).toBeUndefined();
    await startReactor();
    // A marker job submitted after the replay starts: once it is granted, everything before it was seen.
    await submitJob(store, t, 'marker', [{ resource: 'other', mode: 'SHARED' }]);
    await until(t, 'marker', 'QUEUED');
    expect((await tableEvents(store, t)).slice(0, events.length)).toEqual(events);
    expect((await view(t)).find((e) => e.resource === 'r')).toEqual(table[0]);
  });

  it('repairs a crash between the table grant and the job\'s lock-granted', async () => {
    const t = freshTenant();
    await submitJob(store, t, 'a', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await until(t, 'a', 'QUEUED');
    await submitJob(store, t, 'b', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await waitFor(async () => (await view(t))[0]?.waiters.length === 1);
    await stopReactor();

    // What a lock manager that crashed mid-way leaves behind: a new job's request and grant in the
    // table, and a release that granted b, but neither job told.
    const waiting = (await store.read(`${t}.job.a`)).find((r) => r.event.type === 'job.waiting-for-lock');
    expect(waiting).toBeDefined();
    await submitJob(store, t, 'c', [{ resource: 'solo', mode: 'EXCLUSIVE' }]);
    const cWaiting = (await store.read(`${t}.job.c`)).find((r) => r.event.type === 'job.waiting-for-lock')!;
    await commandTableDirectly(store, t, { type: 'request', jobId: 'c', locks: [{ resource: 'solo', mode: 'EXCLUSIVE' }] }, cWaiting.event.eventId);
    await runToCompletion(store, t, 'a');
    const granted = await commandTableDirectly(store, t, { type: 'release', jobId: 'a', reason: 'job-ended' });
    expect(granted.map((e) => e.type)).toEqual(['lock.released', 'lock.granted']);
    expect(await statusOf(t, 'b')).toBe('WAITING_FOR_LOCK');
    expect(await statusOf(t, 'c')).toBe('WAITING_FOR_LOCK');
    const tableBefore = (await tableEvents(store, t)).length;

    await startReactor();
    await until(t, 'b', 'QUEUED');
    await until(t, 'c', 'QUEUED');
    // Repaired from the table as it stood: no second request, release or grant.
    expect((await tableEvents(store, t)).length).toBe(tableBefore);
    expect(await historyOf(store, t, 'b')).toEqual(['job.submitted', 'job.waiting-for-lock', 'job.lock-granted']);
  });

  it('reports bad lock input in the log instead of retrying it forever', async () => {
    const t = freshTenant();
    // The job domain accepts a whitespace resource; the lock table does not. The gateway rejects it at submit.
    await submitJob(store, t, 'bad', [{ resource: ' ', mode: 'EXCLUSIVE' }]);
    await submitJob(store, t, 'good', [{ resource: 'r', mode: 'EXCLUSIVE' }]);
    await until(t, 'good', 'QUEUED');
    expect(await statusOf(t, 'bad')).toBe('WAITING_FOR_LOCK');
  });
});
