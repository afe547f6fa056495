/**
 * Jobs end to end, jobstream against BullMQ on the same machine in the same run (issue 3):
 * - throughput of no-op jobs, submit → COMPLETED, with one and with two executors (worker processes);
 *   jobstream submits with `POST jobs:batch` of 1,000, BullMQ with `addBulk` of 1,000;
 * - latency of one job at a time: one submit awaited to COMPLETED against `add` + `waitUntilFinished`.
 * Every service and every BullMQ worker is a separate process. `BENCH_JOBS` sets the job count,
 * `BENCH_CPU_PROF=<dir>` writes a V8 CPU profile of each jobstream service there, `BENCH_BULLMQ=0` skips BullMQ.
 * CPU ms per job of each jobstream process is printed too: steadier than rates on a shared machine.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { jobIdFor } from '@jobstream/contracts';
import { BenchRow, freePort, loadPerJob, percentile, startSystem, waitFor, type ProcessLoad, type RunningSystem } from '@jobstream/testing';
import { connect, DeliverPolicy, type NatsConnection } from 'nats';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const CHUNK = 1_000;
/** Batches in flight at once: enough to keep the pipeline full without one client hogging the CPU. */
const CHUNKS_IN_FLIGHT = 4;
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 300);
const WARMUP = 1_000;
const BULL_CONCURRENCY = 50;
const TENANT = 'bench';

interface Throughput {
  jobsPerSecond: number;
  submitSeconds: number;
  totalSeconds: number;
}

interface Latency {
  p50: number;
  p99: number;
}

const ms = (n: number) => Math.round(n * 100) / 100;

async function inChunks(count: number, inFlight: number, submit: (size: number) => Promise<void>): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left > 0) {
        const size = Math.min(CHUNK, left);
        left -= size;
        await submit(size);
      }
    }),
  );
}

// ---------------------------------------------------------------- jobstream

/** Counts job.completed events from the log (an ordered JetStream consumer), and resolves waiters per job. */
class CompletionWatch {
  completed = 0;
  private readonly waiters = new Map<string, () => void>();
  private stopConsuming?: () => void;

  static async open(nc: NatsConnection): Promise<CompletionWatch> {
    const watch = new CompletionWatch();
    const consumer = await nc.jetstream().consumers.get('JOBSTREAM_EVENTS', {
      filterSubjects: `es.${TENANT}.job.>`,
      deliver_policy: DeliverPolicy.New,
    });
    const messages = await consumer.consume({ max_messages: 1024 });
    watch.stopConsuming = () => messages.stop();
    const decoder = new TextDecoder();
    void (async () => {
      for await (const m of messages) {
        const body = decoder.decode(m.data);
        // A commit is a JSON array of events; only the terminal one matters here.
        if (!body.includes('"job.completed"')) continue;
        watch.completed++;
        const jobId = m.subject.slice(`es.${TENANT}.job.`.length);
        const waiter = watch.waiters.get(jobId);
        if (waiter) {
          watch.waiters.delete(jobId);
          waiter();
        }
      }
    })();
    return watch;
  }

  completion(jobId: string): Promise<void> {
    return new Promise((done) => this.waiters.set(jobId, done));
  }

  stop(): void {
    this.stopConsuming?.();
  }
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: { jobId?: string; jobs?: unknown[] } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { jobId?: string } };
}

async function jobstreamThroughput(system: RunningSystem, watch: CompletionWatch, count: number): Promise<Throughput> {
  const url = `${system.gatewayUrl}/${TENANT}/api/jobs:batch`;
  const jobs = Array.from({ length: CHUNK }, () => ({ type: 'noop' }));
  const target = watch.completed + count;
  const started = performance.now();
  await inChunks(count, CHUNKS_IN_FLIGHT, async (size) => {
    const res = await postJson(url, { jobs: size === CHUNK ? jobs : jobs.slice(0, size) });
    if (res.status !== 202) throw new Error(`batch submit answered ${res.status}: ${JSON.stringify(res.body)}`);
  });
  const submitted = performance.now();
  await waitFor(() => watch.completed >= target, 300_000, 5);
  const ended = performance.now();
  return { jobsPerSecond: count / ((ended - started) / 1000), submitSeconds: (submitted - started) / 1000, totalSeconds: (ended - started) / 1000 };
}

async function jobstreamLatency(system: RunningSystem, watch: CompletionWatch, samples: number): Promise<Latency> {
  const url = `${system.gatewayUrl}/${TENANT}/api/jobs`;
  const times: number[] = [];
  const run = Date.now().toString(36);
  for (let i = 0; i < samples; i++) {
    // An idempotent submit's job id is known beforehand, so the waiter exists before the completion can arrive.
    const idempotencyKey = `latency-${run}-${i}`;
    const done = watch.completion(jobIdFor(TENANT, idempotencyKey));
    const started = performance.now();
    const res = await postJson(url, { type: 'noop', idempotencyKey });
    if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
    await done;
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

// ---------------------------------------------------------------- BullMQ

interface Redis {
  port: number;
  stop(): Promise<void>;
}

/** Debian's redis-server with the durability the issue asks for: AOF, fsync every second. */
async function startRedis(): Promise<Redis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'jobstream-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  await waitFor(() => output.includes('Ready to accept connections'), 10_000, 20).catch(() => {
    throw new Error(`redis-server did not start:\n${output}`);
  });
  return {
    port,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

async function startBullWorker(port: number, queue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', resolve(__dirname, 'bullmq-worker.ts'), String(port), queue, String(BULL_CONCURRENCY)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  await waitFor(() => output.includes('ready'), 30_000, 20);
  return child;
}

async function bullThroughput(queue: Queue, count: number): Promise<Throughput> {
  const target = (await queue.getCompletedCount()) + count;
  const jobs = Array.from({ length: CHUNK }, () => ({ name: 'noop', data: {} }));
  const started = performance.now();
  await inChunks(count, CHUNKS_IN_FLIGHT, async (size) => {
    await queue.addBulk(size === CHUNK ? jobs : jobs.slice(0, size));
  });
  const submitted = performance.now();
  await waitFor(async () => (await queue.getCompletedCount()) >= target, 300_000, 5);
  const ended = performance.now();
  return { jobsPerSecond: count / ((ended - started) / 1000), submitSeconds: (submitted - started) / 1000, totalSeconds: (ended - started) / 1000 };
}

async function bullLatency(queue: Queue, events: QueueEvents, samples: number): Promise<Latency> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const job = await queue.add('noop', {});
    await job.waitUntilFinished(events);
    times.push(performance.now() - started);
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

interface Side {
  one: Throughput;
  two: Throughput;
  latency: Latency;
}

/** CPU ms and wake-ups per job of each jobstream process over each measured row. */
interface LoadRows {
  one: Map<string, ProcessLoad>;
  two: Map<string, ProcessLoad>;
  latency: Map<string, ProcessLoad>;
}

async function runBull(): Promise<Side> {
  const redis = await startRedis();
  const connection = { host: '127.0.0.1', port: redis.port };
  const name = 'bench';
  const workers: ChildProcess[] = [];
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  try {
    queue = new Queue(name, { connection });
    events = new QueueEvents(name, { connection });
    await events.waitUntilReady();
    workers.push(await startBullWorker(redis.port, name));
    await bullThroughput(queue, WARMUP);
    const one = await bullThroughput(queue, JOBS);
    const latency = await bullLatency(queue, events, LATENCY_SAMPLES);
    workers.push(await startBullWorker(redis.port, name));
    const two = await bullThroughput(queue, JOBS);
    return { one, two, latency };
  } finally {
    await Promise.all(workers.map(stopChild));
    await events?.close();
    await queue?.close();
    await redis.stop();
  }
}

async function runJobstream(): Promise<Side & { load: LoadRows }> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const system = await startSystem({
    env: { LOG_LEVEL: 'warn', ...(profileDir && { NODE_OPTIONS: `--require ${resolve(__dirname, 'cpu-profile.cjs')}`, BENCH_CPU_PROF: resolve(profileDir) }) },
  });
  let nc: NatsConnection | undefined;
  let watch: CompletionWatch | undefined;
  try {
    nc = await connect({ servers: system.nats.url });
    watch = await CompletionWatch.open(nc);
    const processes = () => [...system.processes.map((p) => ({ name: p.name.replace(/-b$/, ''), pid: p.process.pid })), { name: 'nats-server', pid: system.nats.process.pid }];
    await jobstreamThroughput(system, watch, WARMUP);
    let one!: Throughput;
    const oneLoad = await loadPerJob(processes(), JOBS, async () => void (one = await jobstreamThroughput(system, watch!, JOBS)));
    let latency!: Latency;
    const latencyLoad = await loadPerJob(processes(), LATENCY_SAMPLES, async () => void (latency = await jobstreamLatency(system, watch!, LATENCY_SAMPLES)));
    await system.spawn('executor', { EXECUTOR_ID: 'bench-executor-b' }, 'executor-b');
    // The second executor joins the work consumers before the measured run starts.
    await jobstreamThroughput(system, watch, WARMUP);
    let two!: Throughput;
    const twoLoad = await loadPerJob(processes(), JOBS, async () => void (two = await jobstreamThroughput(system, watch!, JOBS)));
    return { one, two, latency, load: { one: oneLoad, two: twoLoad, latency: latencyLoad } };
  } finally {
    if (profileDir) {
      for (const p of system.processes) p.process.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 3_000));
    }
    watch?.stop();
    await nc?.close();
    await system.stop();
  }
}

/** BullMQ needs a Redis client package (ioredis or redis), an optional peer dependency it does not install. */
function missingRedisClient(): string | null {
  if (process.env.BENCH_BULLMQ === '0') return 'BullMQ side skipped (BENCH_BULLMQ=0)';
  for (const name of ['ioredis', 'redis']) {
    try {
      require.resolve(name);
      return null;
    } catch {
      // try the next client
    }
  }
  return 'BullMQ side skipped: its Redis client (ioredis) is not installed (npm i -D ioredis)';
}

export async function bench(): Promise<{ title: string; rows: BenchRow[] }[]> {
  const skipped = missingRedisClient();
  if (skipped) process.stderr.write(`${skipped}\n`);
  const bull = skipped ? null : await runBull();
  const ours = await runJobstream();
  const na = 'n/a';
  const ratio = (a: number, b: number | undefined) => (b === undefined ? na : `${(a / b).toFixed(2)}×`);
  const throughputRow = (workers: string, pick: (s: Side) => Throughput): BenchRow => ({
    'workers (processes)': workers,
    jobs: JOBS,
    'jobstream jobs/s': Math.round(pick(ours).jobsPerSecond),
    'BullMQ jobs/s': bull ? Math.round(pick(bull).jobsPerSecond) : na,
    'jobstream / BullMQ': ratio(pick(ours).jobsPerSecond, bull ? pick(bull).jobsPerSecond : undefined),
    'jobstream submit s': ms(pick(ours).submitSeconds),
    'BullMQ addBulk s': bull ? ms(pick(bull).submitSeconds) : na,
  });
  return [
    {
      title: `No-op jobs, submit → COMPLETED (jobstream: jobs:batch of ${CHUNK}, ${CHUNKS_IN_FLIGHT} in flight; BullMQ: addBulk of ${CHUNK}, worker concurrency ${BULL_CONCURRENCY})${skipped ? ` [${skipped}]` : ''}`,
      rows: [throughputRow('1 executor / 1 worker', (s) => s.one), throughputRow('2 executors / 2 workers', (s) => s.two)],
    },
    {
      title: `One job at a time, submit → COMPLETED, ${LATENCY_SAMPLES} sequential (ms)`,
      rows: [
        { system: 'jobstream (POST /jobs, awaited to job.completed)', p50: ms(ours.latency.p50), p99: ms(ours.latency.p99) },
        { system: 'BullMQ (add + waitUntilFinished)', p50: bull ? ms(bull.latency.p50) : na, p99: bull ? ms(bull.latency.p99) : na },
        { system: 'jobstream / BullMQ', p50: ratio(ours.latency.p50, bull?.latency.p50), p99: ratio(ours.latency.p99, bull?.latency.p99) },
      ],
    },
    {
      title: 'jobstream CPU ms / wake-ups per job, by process, over each row above (executors added up)',
      rows: [...ours.load.one.keys(), 'total'].map((what) => {
        const of = (m: Map<string, ProcessLoad>) => {
          const load = what === 'total' ? [...m.values()].reduce((a, b) => ({ cpuMs: a.cpuMs + b.cpuMs, wakeUps: a.wakeUps + b.wakeUps })) : m.get(what);
          return load ? `${ms(load.cpuMs)} / ${load.wakeUps.toFixed(1)}` : '0';
        };
        return { process: what, '1 executor': of(ours.load.one), '2 executors': of(ours.load.two), 'one at a time': of(ours.load.latency) };
      }),
    },
  ];
}
