import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEventStore, loadEventStoreConfig, type EventStore } from '@jobstream/event-store';
import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { Projector } from './projector';
import { dumpTables, HistoryWriter, waitForCheckpoint } from './projector.test-helper';
import { decodeCursor } from './read-model/cursor';
import { ReadModel } from './read-model/read-model';

let server: NatsServerHandle;
let nc: NatsConnection;
let dir: string;
let streams = 0;
/** Stops whatever a failed test left running, so the subscription does not keep Jest alive. */
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
  dir = mkdtempSync(join(tmpdir(), 'projector-'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Each test gets its own JetStream stream, so histories never mix. */
async function freshStore(): Promise<EventStore> {
  streams++;
  return createEventStore(
    loadEventStoreConfig({ NATS_URL: server.url, EVENT_STREAM_NAME: `PROJ_${streams}`, EVENT_SUBJECT_PREFIX: `proj${streams}` }),
    { nats: nc },
  );
}

const dbFile = (name: string) => join(dir, `${name}-${streams}.sqlite`);

function openProjector(store: EventStore, path: string, options: ConstructorParameters<typeof Projector>[2] = {}) {
  const readModel = ReadModel.open(path);
  const projector = new Projector(store, readModel, options);
  cleanups.push(async () => {
    await projector.stop();
    readModel.close();
  });
  return { readModel, projector };
}

/** Opens the file, projects until the checkpoint reaches `position`, stops and closes. */
async function projectOnce(store: EventStore, path: string, position: string | null, options: { rebuild?: boolean } = {}) {
  const { readModel, projector } = openProjector(store, path, options);
  await projector.start();
  await waitForCheckpoint(readModel, position);
  await projector.stop();
  readModel.close();
}

/** Several jobs through their life cycles, a second tenant, and definitions. */
async function writeLifeCycles(w: HistoryWriter): Promise<void> {
  await w.job('acme', 'j1', { type: 'submit', jobId: 'j1', jobType: 'transcode', payload: { file: 'a.mov' } });
  await w.job('acme', 'j1', { type: 'start', executorId: 'exec-1' });
  await w.job('acme', 'j1', { type: 'progress', executorId: 'exec-1', percent: 50, message: 'half way' });
  await w.job('acme', 'j1', { type: 'complete', executorId: 'exec-1', output: { ok: true } });

  await w.job('acme', 'j2', { type: 'submit', jobId: 'j2', jobType: 'transcode', payload: {}, priority: 5 });
  await w.job('acme', 'j2', { type: 'start', executorId: 'exec-1' });
  await w.job('acme', 'j2', { type: 'fail', executorId: 'exec-1', message: 'boom' });
  await w.job('acme', 'j2', { type: 'retry' });
  await w.job('acme', 'j2', { type: 'start', executorId: 'exec-2' });
  await w.job('acme', 'j2', { type: 'progress', executorId: 'exec-2', percent: 10, message: 'again' });

  await w.job('acme', 'j3', { type: 'submit', jobId: 'j3', jobType: 'report', payload: {} });

  await w.job('acme', 'j4', { type: 'submit', jobId: 'j4', jobType: 'report', payload: {} });
  await w.job('acme', 'j4', { type: 'start', executorId: 'exec-1' });
  await w.job('acme', 'j4', { type: 'complete', executorId: 'exec-1' });
  await w.job('acme', 'j4', { type: 'delete' });

  await w.job('acme', 'j5', { type: 'submit', jobId: 'j5', jobType: 'transcode', payload: {}, definitionId: 'nightly' });
  await w.job('globex', 'g1', { type: 'submit', jobId: 'g1', jobType: 'transcode', payload: {} });

  const spec = { description: 'every night', jobType: 'transcode', configuration: { bucket: 'b' } };
  await w.definition('acme', 'nightly', {
    type: 'create',
    definitionId: 'nightly',
    name: 'Nightly',
    schedule: { kind: 'cron', expression: '0 2 * * *', timeZone: 'UTC' },
    enabled: true,
    ...spec,
  });
  await w.definition('acme', 'nightly', { type: 'start' });
  await w.definition('acme', 'nightly', (s) => ({ type: 'recordRunStarted', jobId: s.currentJobId as string, executorId: 'exec-3' }));
  await w.definition('acme', 'adhoc', { type: 'create', definitionId: 'adhoc', name: 'Adhoc', schedule: null, enabled: false, ...spec });
  await w.definition('acme', 'gone', { type: 'create', definitionId: 'gone', name: 'Gone', schedule: null, enabled: true, ...spec });
  await w.definition('acme', 'gone', { type: 'delete' });
}

describe('projector on a real JetStream store and SQLite', () => {
  it('projects job life cycles into rows that list, filter and page correctly; deleted jobs are excluded', async () => {
    const store = await freshStore();
    const w = new HistoryWriter(store);
    await writeLifeCycles(w);
    const path = dbFile('lifecycle');
    const { readModel, projector } = openProjector(store, path);
    await projector.start();
    await waitForCheckpoint(readModel, w.lastPosition);

    expect(readModel.getJob('acme', 'j1')).toEqual({
      jobId: 'j1',
      tenant: 'acme',
      type: 'transcode',
      status: 'COMPLETED',
      priority: 0,
      progress: { percent: 100, message: 'half way' },
      attempt: 1,
      executorId: 'exec-1',
      definitionId: null,
      submittedAt: '2026-03-01T10:00:01.000Z',
      startedAt: '2026-03-01T10:00:02.000Z',
      endedAt: '2026-03-01T10:00:04.000Z',
      updatedAt: '2026-03-01T10:00:04.000Z',
      lastError: null,
    });
    expect(readModel.getJob('acme', 'j2')).toMatchObject({
      status: 'RUNNING',
      priority: 5,
      attempt: 2,
      executorId: 'exec-2',
      progress: { percent: 10, message: 'again' },
      lastError: 'boom',
      endedAt: null,
    });
    expect(readModel.getJob('acme', 'j4')).toBeNull();
    expect(readModel.getJob('acme', 'g1')).toBeNull();

    const ids = (page: { items: { jobId: string }[] }) => page.items.map((j) => j.jobId);
    expect(ids(readModel.listJobs({ tenant: 'acme', limit: 50 }))).toEqual(['j5', 'j3', 'j2', 'j1']);
    expect(ids(readModel.listJobs({ tenant: 'acme', status: 'QUEUED', limit: 50 }))).toEqual(['j5', 'j3']);
    expect(ids(readModel.listJobs({ tenant: 'acme', type: 'transcode', limit: 50 }))).toEqual(['j5', 'j2', 'j1']);
    expect(ids(readModel.listJobs({ tenant: 'acme', type: 'transcode', status: 'QUEUED', limit: 50 }))).toEqual(['j5']);
    expect(ids(readModel.listJobs({ tenant: 'acme', definitionId: 'nightly', limit: 50 }))).toEqual(['j5']);
    const j2SubmittedAt = readModel.getJob('acme', 'j2')?.submittedAt as string;
    expect(ids(readModel.listJobs({ tenant: 'acme', since: j2SubmittedAt, limit: 50 }))).toEqual(['j5', 'j3', 'j2']);
    // The same instant written with an offset selects the same jobs.
    expect(ids(readModel.listJobs({ tenant: 'acme', since: '2026-03-01T11:00:05+01:00', limit: 50 }))).toEqual(['j5', 'j3', 'j2']);
    expect(ids(readModel.listJobs({ tenant: 'globex', limit: 50 }))).toEqual(['g1']);

    const first = readModel.listJobs({ tenant: 'acme', limit: 2 });
    expect(ids(first)).toEqual(['j5', 'j3']);
    expect(first.nextCursor).not.toBeNull();
    const second = readModel.listJobs({ tenant: 'acme', limit: 2, cursor: decodeCursor(first.nextCursor as string) });
    expect(ids(second)).toEqual(['j2', 'j1']);
    expect(second.nextCursor).toBeNull();

    const stats = readModel.jobStats('acme');
    expect(stats.byStatus).toEqual({ QUEUED: 2, WAITING_FOR_LOCK: 0, RUNNING: 1, COMPLETED: 1, FAILED: 0, CANCELLED: 0, TIMED_OUT: 0 });
    expect(stats.byType.transcode).toMatchObject({ QUEUED: 1, RUNNING: 1, COMPLETED: 1 });
    expect(stats.byType.report).toMatchObject({ QUEUED: 1, COMPLETED: 0 });

    expect(readModel.listDefinitions('acme').map((d) => [d.definitionId, d.status])).toEqual([
      ['adhoc', 'Disabled'],
      ['nightly', 'Running'],
    ]);
    expect(readModel.getDefinition('acme', 'nightly')).toMatchObject({
      name: 'Nightly',
      enabled: true,
      schedule: { kind: 'cron', expression: '0 2 * * *', timeZone: 'UTC' },
      currentJobId: expect.any(String),
      activeOnHost: 'exec-3',
      lastRunTime: expect.any(String),
    });
    expect(readModel.getDefinition('acme', 'gone')).toBeNull();

    expect(projector.status()).toEqual({
      position: w.lastPosition,
      eventsApplied: w.events,
      batchesApplied: w.commits,
      lastEventAt: expect.any(String),
      subscribed: true,
    });

    // A commit after the catch-up is applied as it arrives.
    await w.definition('acme', 'nightly', (s) => ({ type: 'recordRunFinished', jobId: s.currentJobId as string, result: 'COMPLETED' }));
    await waitForCheckpoint(readModel, w.lastPosition);
    expect(readModel.getDefinition('acme', 'nightly')).toMatchObject({ status: 'Ready', lastRunResult: 'COMPLETED', currentJobId: null });

    await projector.stop();
    expect(projector.status().subscribed).toBe(false);
    readModel.close();
  });

  it('resumes from its checkpoint after a stop in mid-stream: same rows as one run, nothing applied twice', async () => {
    const store = await freshStore();
    const w = new HistoryWriter(store);
    const interrupted = dbFile('interrupted');
    // Small groups, so the stop falls between transactions as well as inside a group.
    const { readModel, projector: first } = openProjector(store, interrupted, { maxGroup: 3 });
    await first.start();
    let stoppedAt: ReturnType<ReadModel['status']> | undefined;
    for (let i = 0; i < 12; i++) {
      await w.job('acme', `r${i}`, { type: 'submit', jobId: `r${i}`, jobType: 'resize', payload: { i } });
      await w.job('acme', `r${i}`, { type: 'start', executorId: 'exec-1' });
      if (i === 5) {
        // Stopped while commits keep coming, without waiting for a catch-up: what was acknowledged is written.
        await first.stop();
        stoppedAt = readModel.status();
      }
    }
    readModel.close();
    for (let i = 0; i < 12; i++) {
      if (i % 3 === 0) {
        await w.job('acme', `r${i}`, { type: 'fail', executorId: 'exec-1', message: 'bad input' });
        await w.job('acme', `r${i}`, { type: 'retry' });
      } else {
        await w.job('acme', `r${i}`, { type: 'complete', executorId: 'exec-1' });
      }
    }
    await projectOnce(store, interrupted, w.lastPosition);
    await projectOnce(store, dbFile('uninterrupted'), w.lastPosition);

    expect(stoppedAt?.batchesApplied).toBeLessThanOrEqual(12);
    const resumed = dumpTables(interrupted);
    expect(resumed).toEqual(dumpTables(dbFile('uninterrupted')));
    expect(resumed.projector_checkpoint).toEqual([
      { id: 1, position: w.lastPosition, events_applied: w.events, batches_applied: w.commits, last_event_at: expect.any(String) },
    ]);
    const check = ReadModel.open(interrupted);
    expect(check.getJob('acme', 'r0')).toMatchObject({ status: 'QUEUED', attempt: 2, lastError: 'bad input' });
    expect(check.getJob('acme', 'r1')).toMatchObject({ status: 'COMPLETED', attempt: 1 });
    check.close();
  });

  it('rebuilds from the first event into exactly the same tables', async () => {
    const store = await freshStore();
    const w = new HistoryWriter(store);
    await writeLifeCycles(w);
    const path = dbFile('rebuild');
    await projectOnce(store, path, w.lastPosition);
    const before = dumpTables(path);

    // Damage the read model: a rebuild must not depend on anything it held.
    const db = new Database(path);
    db.exec(`UPDATE jobs SET status = 'FAILED', state = '{}'; DELETE FROM job_counts; DELETE FROM job_definitions`);
    db.close();

    await projectOnce(store, path, w.lastPosition, { rebuild: true });
    expect(dumpTables(path)).toEqual(before);
    expect(before.jobs).toHaveLength(6);
  });

  it('after a failed write resubscribes from the stored checkpoint and loses nothing', async () => {
    const store = await freshStore();
    const w = new HistoryWriter(store);
    const path = dbFile('failing');
    const { readModel, projector } = openProjector(store, path);
    await projector.start();
    await w.job('acme', 'f1', { type: 'submit', jobId: 'f1', jobType: 'resize', payload: {} });
    await waitForCheckpoint(readModel, w.lastPosition);
    const beforeFailure = w.lastPosition;

    // Every write to jobs fails while the flag row exists, as a full disk would.
    const db = new Database(path);
    db.exec(`CREATE TABLE fail_writes (x); INSERT INTO fail_writes VALUES (1);
      CREATE TRIGGER fail_job_writes BEFORE UPDATE ON jobs WHEN EXISTS (SELECT 1 FROM fail_writes)
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
    await w.job('acme', 'f1', { type: 'start', executorId: 'exec-1' });
    await w.job('acme', 'f1', { type: 'complete', executorId: 'exec-1' });
    while (projector.status().subscribed) await new Promise((r) => setTimeout(r, 10));
    expect(readModel.checkpoint()).toBe(beforeFailure);

    db.exec(`DELETE FROM fail_writes`);
    db.close();
    await waitForCheckpoint(readModel, w.lastPosition);
    expect(readModel.getJob('acme', 'f1')).toMatchObject({ status: 'COMPLETED', attempt: 1 });
    expect(readModel.status()).toMatchObject({ eventsApplied: w.events, batchesApplied: w.commits });
  });
});
