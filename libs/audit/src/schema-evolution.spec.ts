import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { currentSchemaVersion, evolveJob, initialJobState, upcast, type DomainEvent, type JobEvent } from '@jobstream/domain';
import { JetStreamEventStore, type CommittedBatch } from '@jobstream/event-store';
import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { ReadModelRebuild } from './rebuild';
import { replayInto } from './replay';

const fixture = (name: string): DomainEvent[] =>
  readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DomainEvent);

const v1 = fixture('jobs-v1.ndjson');
const today = fixture('jobs-v2.ndjson');

/** Each event as its own commit, revisions counted per stream, as a subscription would deliver them. */
function batchesOf(events: DomainEvent[]): CommittedBatch[] {
  const revisions = new Map<string, number>();
  return events.map((event, i) => {
    const revision = revisions.get(event.streamId) ?? 0;
    revisions.set(event.streamId, revision + 1);
    return { position: String(i + 1), events: [{ event: upcast(event), revision, position: String(i + 1) }] };
  });
}

function rowsOf(events: DomainEvent[]) {
  const rebuild = new ReadModelRebuild(':memory:');
  rebuild.apply(batchesOf(events));
  const rows = {
    jobs: rebuild.db.prepare(`SELECT * FROM jobs ORDER BY tenant, job_id`).all(),
    counts: rebuild.counts(),
  };
  rebuild.close();
  return rows;
}

describe('schema evolution: the version-1 fixture', () => {
  it('is really the old shape, and the today fixture is at the versions the domain writes now', () => {
    expect(v1.filter((e) => e.type === 'job.submitted').every((e) => 'jobType' in (e.data as object) && !('retry' in (e.data as object)))).toBe(true);
    expect(v1.filter((e) => e.type === 'job.failed').every((e) => typeof (e.data as { error: unknown }).error === 'string')).toBe(true);
    expect(today.every((e) => e.schemaVersion === currentSchemaVersion(e.type))).toBe(true);
    expect(currentSchemaVersion('job.submitted')).toBe(2);
  });

  it('upcasts event by event into exactly the events written today', () => {
    expect(v1.map(upcast)).toEqual(today);
  });

  it('leaves current events untouched (same object) and events of unknown newer versions alone', () => {
    for (const event of today) expect(upcast(event)).toBe(event);
    const future = { ...today[0], schemaVersion: 9 };
    expect(upcast(future)).toBe(future);
  });

  it('folds to the same job states as today', () => {
    const fold = (events: DomainEvent[]) => {
      const states = new Map<string, unknown>();
      for (const event of events.map(upcast)) states.set(event.streamId, evolveJob((states.get(event.streamId) ?? initialJobState) as never, event as JobEvent));
      return states;
    };
    expect(fold(v1)).toEqual(fold(today));
    expect([...fold(v1).values()].map((s) => (s as { status: string }).status)).toEqual(['COMPLETED', 'FAILED', 'CANCELLED']);
  });

  it('projects to identical read-model rows and counters, byte for byte', () => {
    const old = rowsOf(v1);
    expect(old.jobs).toHaveLength(3);
    expect(old).toEqual(rowsOf(today));
  });

  describe('through the event store', () => {
    let server: NatsServerHandle;
    let nc: NatsConnection;
    let store: JetStreamEventStore;
    beforeAll(async () => {
      server = await startNatsServer();
      nc = await connect({ servers: server.url });
      store = await JetStreamEventStore.start(nc);
    });
    afterAll(async () => {
      await store?.close();
      await nc?.close();
      await server?.stop();
    });

    it('stores version-1 events as they are, reads them upcast, and the replay rebuilds today`s rows', async () => {
      const revisions = new Map<string, number>();
      for (const event of v1) {
        const r = await store.append(event.streamId, [event], revisions.get(event.streamId) ?? 'no_stream');
        revisions.set(event.streamId, r.nextExpectedRevision);
      }
      const read = await store.read('acme.job.fx-report');
      expect(read.map((r) => r.event.schemaVersion)).toEqual([2, 1, 1, 2, 1, 1, 1]);
      expect((read[0].event.data as { type: string }).type).toBe('report');

      const dir = mkdtempSync(join(tmpdir(), 'jobstream-replay-spec-'));
      const rebuild = new ReadModelRebuild(join(dir, 'replay.sqlite'));
      await replayInto({ nc, streamName: store.streamName, subjectPrefix: store.subjectPrefix }, rebuild, { tenant: 'acme', target: { kind: 'all' } });
      expect(rebuild.db.prepare(`SELECT * FROM jobs ORDER BY tenant, job_id`).all()).toEqual(rowsOf(today).jobs);
      rebuild.close();
      rmSync(dir, { recursive: true, force: true });
    });
  });
});
