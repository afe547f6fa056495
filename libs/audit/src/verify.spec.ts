import { randomUUID } from 'node:crypto';
import { connect, headers, type JetStreamManager, type NatsConnection } from 'nats';
import type { DomainEvent } from '@jobstream/domain';
import { EVENT_COUNT_HEADER, eventHash, FIRST_REVISION_HEADER, JetStreamEventStore } from '@jobstream/event-store';
import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { writeCheckpoints } from './checkpoints';
import { exportEvents } from './export';
import type { LogLocation } from './log-reader';
import { verifyLog } from './verify';

describe('audit verify: tampering behind the event store', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let store: JetStreamEventStore;
  let location: LogLocation;
  let tenants = 0;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
    store = await JetStreamEventStore.start(nc);
    location = { nc, streamName: store.streamName, subjectPrefix: store.subjectPrefix };
  });
  afterAll(async () => {
    await store?.close();
    await nc?.close();
    await server?.stop();
  });

  const ev = (streamId: string, i: number): DomainEvent => ({
    eventId: randomUUID(),
    type: 'job.progressed',
    schemaVersion: 1,
    streamId,
    tenant: streamId.split('.')[0],
    occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    correlationId: 'c',
    causationId: null,
    actor: 'service:executor',
    data: { executorId: 'e1', percent: i * 10, message: `step ${i}` },
  });

  /** A tenant with two streams of five one-event commits each, interleaved; returns each commit's sequence. */
  async function seed() {
    const tenant = `t${++tenants}`;
    const streams = [`${tenant}.job.a`, `${tenant}.job.b`];
    const seqs = new Map<string, number[]>(streams.map((s) => [s, []]));
    for (let i = 0; i < 5; i++) {
      for (const s of streams) {
        const r = await store.append(s, [ev(s, i)], i === 0 ? 'no_stream' : i - 1);
        seqs.get(s)?.push(Number(r.position));
      }
    }
    return { tenant, stream: streams[0], seqs: seqs.get(streams[0]) as number[] };
  }

  const stored = async (seq: number) => {
    const m = await jsm.streams.getMessage(store.streamName, { seq });
    return { subject: m.subject, events: m.json<DomainEvent[]>(), first: m.header.get(FIRST_REVISION_HEADER) };
  };

  /** What an intruder with NATS credentials can do: publish straight to the subject, any headers. */
  const rawPublish = async (subject: string, events: DomainEvent[], firstRevision: string) => {
    const h = headers();
    h.set(FIRST_REVISION_HEADER, firstRevision);
    h.set(EVENT_COUNT_HEADER, String(events.length));
    await nc.jetstream().publish(subject, JSON.stringify(events), { headers: h });
  };

  it('finds nothing in an untouched log', async () => {
    const { tenant } = await seed();
    const report = await verifyLog(location, { tenant });
    expect(report.findings).toEqual([]);
    expect(report.events).toBe(10);
  });

  it('names an edited copy published to the same subject: inserted, and its content no longer matches its hash', async () => {
    const { tenant, stream, seqs } = await seed();
    const original = await stored(seqs[2]);
    const forged = [{ ...original.events[0], data: { executorId: 'e1', percent: 99, message: 'forged' } }];
    await rawPublish(original.subject, forged, original.first as string);
    const { findings } = await verifyLog(location, { tenant });
    expect(findings.map((f) => [f.kind, f.streamId, f.revision])).toEqual([
      ['edited', stream, 2],
      ['inserted', stream, 2],
    ]);
    expect(findings[0].eventId).toBe(original.events[0].eventId);
    expect(Number(findings[0].position)).toBeGreaterThan(seqs[4]);
  });

  it('names a deleted event: removed, with the positions it is missing between', async () => {
    const { tenant, stream, seqs } = await seed();
    await jsm.streams.deleteMessage(store.streamName, seqs[1]);
    const { findings } = await verifyLog(location, { tenant });
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'removed', streamId: stream, revision: 1, position: `between ${seqs[0]} and ${seqs[2]}` }),
    ]);
  });

  it('names an event edited in place and re-hashed by the intruder: reordered, and the chain breaks at its successor', async () => {
    const { tenant, stream, seqs } = await seed();
    const original = await stored(seqs[3]);
    const edited = { ...original.events[0], data: { executorId: 'e1', percent: 31, message: 'rewritten' } };
    edited.hash = eventHash(edited, edited.previousHash as string);
    await jsm.streams.deleteMessage(store.streamName, seqs[3]);
    await rawPublish(original.subject, [edited], original.first as string);
    const { findings } = await verifyLog(location, { tenant });
    expect(findings.map((f) => [f.kind, f.streamId, f.revision])).toEqual([
      ['reordered', stream, 3],
      ['broken-link', stream, 4],
    ]);
    expect(findings[1].position).toBe(String(seqs[4]));
  });

  it('names the removal of a stream`s last event through the running-hash checkpoint', async () => {
    const { tenant, seqs } = await seed();
    const run = await writeCheckpoints(store, location, tenant, { every: 4 });
    expect(run.written.map((c) => c.count)).toEqual([4, 8, 10]);
    expect((await verifyLog(location, { tenant })).findings).toEqual([]);
    await jsm.streams.deleteMessage(store.streamName, seqs[4]);
    const { findings, checkpoints } = await verifyLog(location, { tenant });
    expect(checkpoints).toBe(3);
    expect(findings).toEqual([expect.objectContaining({ kind: 'checkpoint-mismatch', streamId: `${tenant}.audit.checkpoints` })]);
    expect(findings[0].detail).toContain('covers 10 events');
  });

  it('continues checkpoints from the last one', async () => {
    const { tenant, stream } = await seed();
    await writeCheckpoints(store, location, tenant, { every: 1000 });
    await store.append(stream, [ev(stream, 5)], 4);
    const run = await writeCheckpoints(store, location, tenant, { every: 1000 });
    expect(run.written.map((c) => c.count)).toEqual([11]);
    expect((await verifyLog(location, { tenant })).findings).toEqual([]);
  });

  it('exports a time window as NDJSON that the documented rule verifies', async () => {
    const { tenant } = await seed();
    let out = '';
    const result = await exportEvents(location, { tenant, from: '2025-01-01T00:00:01Z', to: '2025-01-01T00:00:03Z', write: (l) => void (out += l) });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as DomainEvent);
    expect(result.events).toBe(4);
    for (const e of lines) expect(eventHash(e, e.previousHash as string)).toBe(e.hash);
    // Consecutive events of a stream link up inside the window.
    const a = lines.filter((e) => e.streamId.endsWith('.a'));
    expect(a[1].previousHash).toBe(a[0].hash);
  });
});
