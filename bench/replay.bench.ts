/**
 * Replay speed: 100,000 jobs × 10 events (1,000,000 one-event commits, as the services write them) are published
 * in the event store's format (headers, hash chain) straight into a real nats-server, then read back twice:
 * - plain read: the same walk, decoding each commit's JSON and nothing else (the floor);
 * - replay: the `jobstream replay` path — decode, upcast, projectBatches, grouped SQLite transactions.
 * Peak memory is the largest process RSS sampled every 50 ms during each read.
 * BENCH_REPLAY_JOBS scales the run (default 100000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers, type NatsConnection } from 'nats';
import type { DomainEvent } from '@jobstream/domain';
import { currentSchemaVersion } from '@jobstream/domain';
import { EVENT_COUNT_HEADER, eventHash, FIRST_REVISION_HEADER, GENESIS_HASH, JetStreamEventStore } from '@jobstream/event-store';
import { ReadModelRebuild, replayInto, walkLog, type LogLocation } from '@jobstream/audit';
import { startNatsServer, type BenchRow } from '@jobstream/testing';

const JOBS = Number(process.env.BENCH_REPLAY_JOBS ?? 100_000);
const EVENTS_PER_JOB = 10;
/** Jobs in flight together: each job's ten events spread over this many × 10 commits, as on a busy system. */
const WAVE = 1_000;
const TENANT = 'bench';

function eventOf(job: number, step: number, at: number): DomainEvent {
  const jobId = `job-${job}`;
  const base = { eventId: `${jobId}-${step}`, streamId: `${TENANT}.job.${jobId}`, tenant: TENANT, occurredAt: new Date(at).toISOString(), correlationId: jobId, causationId: null };
  if (step === 0) {
    return {
      ...base, type: 'job.submitted', schemaVersion: currentSchemaVersion('job.submitted'), actor: 'user:bench',
      data: {
        jobId, type: `type-${job % 5}`, payload: { n: job }, priority: job % 3, locks: [], mode: 'async', workflowVariables: {},
        timeouts: { firstDeadlineMs: 30_000, secondDeadlineMs: 120_000 },
        retry: { maxAttempts: 1, backoff: { kind: 'exponential', initialMs: 1000, maxMs: 60_000 }, jitter: false, nonRetryableErrors: [] },
      },
    };
  }
  if (step === 1) return { ...base, type: 'job.started', schemaVersion: 1, actor: 'service:executor', data: { executorId: 'exec-1', attempt: 1 } };
  if (step < EVENTS_PER_JOB - 1) {
    return { ...base, type: 'job.progressed', schemaVersion: 1, actor: 'service:executor', data: { executorId: 'exec-1', percent: step * 10, message: `step ${step}` } };
  }
  return { ...base, type: 'job.completed', schemaVersion: 1, actor: 'service:executor', data: { executorId: 'exec-1', jobVariables: {}, workflowVariables: {}, output: { ok: true } } };
}

async function generate(nc: NatsConnection, location: LogLocation): Promise<number> {
  const encoder = new TextEncoder();
  const tips = new Map<number, string>();
  let published = 0;
  let at = Date.UTC(2025, 0, 1);
  for (let wave = 0; wave < JOBS; wave += WAVE) {
    for (let step = 0; step < EVENTS_PER_JOB; step++) {
      for (let job = wave; job < Math.min(JOBS, wave + WAVE); job++) {
        const event = eventOf(job, step, (at += 1));
        const previousHash = tips.get(job) ?? GENESIS_HASH;
        const hash = eventHash(event, previousHash);
        tips.set(job, hash);
        const h = headers();
        h.set(FIRST_REVISION_HEADER, String(step));
        h.set(EVENT_COUNT_HEADER, '1');
        nc.publish(`${location.subjectPrefix}.${event.streamId}`, encoder.encode(JSON.stringify([{ ...event, previousHash, hash }])), { headers: h });
        published++;
      }
      // Back-pressure: let the server store what was sent before sending more.
      if (published % 10_000 === 0) await nc.flush();
    }
    // Every job of a finished wave has all its events: its chain tip is no longer needed.
    tips.clear();
  }
  await nc.flush();
  const jsm = await nc.jetstreamManager();
  for (let i = 0; i < 600; i++) {
    if ((await jsm.streams.info(location.streamName)).state.messages >= published) return published;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not store every generated commit');
}

async function measure(label: string, run: () => Promise<number>): Promise<{ seconds: number; events: number; peakRss: number; label: string }> {
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = process.hrtime.bigint();
  try {
    const events = await run();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { label, seconds, events, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
  } finally {
    clearInterval(sampler);
  }
}

export async function bench(): Promise<{ title: string; rows: BenchRow[] }[]> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const dir = mkdtempSync(join(tmpdir(), 'jobstream-replay-bench-'));
  try {
    const store = await JetStreamEventStore.start(nc, { streamName: 'BENCH_REPLAY' });
    const location: LogLocation = { nc, streamName: store.streamName, subjectPrefix: store.subjectPrefix };
    const genStarted = Date.now();
    const commits = await generate(nc, location);
    const generation = (Date.now() - genStarted) / 1000;

    const decoder = new TextDecoder();
    const plain = await measure('plain read (decode only)', async () => {
      let events = 0;
      await walkLog(location, { onCommit: (c) => void (events += (JSON.parse(decoder.decode(c.data)) as unknown[]).length) });
      return events;
    });
    let rebuildRows = 0;
    const replay = await measure('replay: rebuild all read models', async () => {
      const rebuild = new ReadModelRebuild(join(dir, 'replay.sqlite'));
      try {
        const result = await replayInto(location, rebuild, { target: { kind: 'all' } });
        rebuildRows = rebuild.rowCount('jobs');
        return result.events;
      } finally {
        rebuild.close();
      }
    });
    if (rebuildRows !== JOBS) throw new Error(`replay built ${rebuildRows} job rows, expected ${JOBS}`);

    const row = (m: typeof plain): BenchRow => ({
      read: m.label,
      events: m.events,
      seconds: m.seconds.toFixed(2),
      'events/s': Math.round(m.events / m.seconds),
      'vs plain read': ((m.events / m.seconds) / (plain.events / plain.seconds)).toFixed(2),
      'peak RSS MB': Math.round(m.peakRss / 1048576),
    });
    return [
      {
        title: `Replay of ${commits.toLocaleString('en-US')} commits (${JOBS.toLocaleString('en-US')} jobs × ${EVENTS_PER_JOB} events; generated in ${generation.toFixed(1)} s)`,
        rows: [row(plain), row(replay)],
      },
    ];
  } finally {
    await nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
