import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore } from '@jobstream/event-store';
import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { streamSeqOf, walkLog, type LogLocation } from './log-reader';

describe('streamSeqOf', () => {
  it('reads the stream sequence of the nine-token reply subject', () => {
    expect(streamSeqOf('$JS.ACK.JOBSTREAM_EVENTS.walk.1.12345.7.1700000000000000000.3')).toBe(12345);
  });

  it('reads it when the server adds domain, account hash and a trailing token', () => {
    expect(streamSeqOf('$JS.ACK._.ACCHASH.JOBSTREAM_EVENTS.walk.2.999.8.1700000000000000000.0.rnd')).toBe(999);
    expect(streamSeqOf('$JS.ACK.hub.ACCHASH.JOBSTREAM_EVENTS.walk.1.42.7.1700000000000000000.3')).toBe(42);
  });
});

describe('walkLog', () => {
  const COMMITS = 10_000;
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  let location: LogLocation;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    store = await JetStreamEventStore.start(nc);
    location = { nc, streamName: store.streamName, subjectPrefix: store.subjectPrefix };
    // Bodies only: the walk hands over what is stored and parses nothing.
    for (let i = 0; i < COMMITS; i++) nc.publish(`${store.subjectPrefix}.t.job.j${i % 7}`, `[${i}]`);
    await nc.flush();
    const jsm = await nc.jetstreamManager();
    while ((await jsm.streams.info(store.streamName)).state.messages < COMMITS) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => {
    await store?.close();
    await nc?.close();
    await server?.stop();
  });

  it('reads every commit once, in log order', async () => {
    const seqs: number[] = [];
    const walked = await walkLog(location, { onCommit: (c) => void seqs.push(c.seq) });
    expect(walked.commits).toBe(COMMITS);
    expect(seqs).toEqual(Array.from({ length: COMMITS }, (_, i) => i + 1));
  });

  it('waits for an async onCommit and pulls no further ahead of it than its window meanwhile', async () => {
    const jsm = await nc.jetstreamManager();
    const delivered: number[] = [];
    const seqs: number[] = [];
    const walked = await walkLog(location, {
      onCommit: async (c) => {
        seqs.push(c.seq);
        if (c.seq % 2500 !== 1) return;
        await new Promise((r) => setTimeout(r, 100));
        const [consumer] = await jsm.consumers.list(store.streamName).next();
        delivered.push(consumer.delivered.stream_seq - c.seq);
      },
    });
    expect(walked.commits).toBe(COMMITS);
    expect(seqs).toEqual(Array.from({ length: COMMITS }, (_, i) => i + 1));
    // Paused at commits 1, 2501, 5001, 7501: the server has handed over at most the 2,048-commit window.
    expect(delivered).toHaveLength(4);
    for (const ahead of delivered) expect(ahead).toBeLessThanOrEqual(2048);
  });

  it('stops after untilSeq', async () => {
    const walked = await walkLog(location, { untilSeq: 1234, onCommit: () => undefined });
    expect(walked).toEqual({ commits: 1234, lastSeq: 1234 });
  });
});
