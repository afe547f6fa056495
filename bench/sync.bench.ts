/**
 * Synchronous jobs (issue 5), side by side in one run on the same machine:
 * - a sync no-op job over HTTP (`POST jobs:run`) and over NATS request-reply (`jobs.sync.<tenant>.noop`),
 *   one at a time, through the real processes (startSystem): submit, executor request-reply, started,
 *   completed, answer;
 * - a bare NATS request-reply echo on the same nats-server, answered by another process: the floor;
 * - BullMQ `add` + `waitUntilFinished`, one job at a time, Worker in this process with concurrency 50,
 *   redis-server with appendonly yes / appendfsync everysec (skipped when no Redis client is installed).
 * `BENCH_SYNC_SAMPLES` (default 2,000) sets the sequential requests per row, after a warm-up;
 * `BENCH_CPU_PROF=<dir>` writes a V8 CPU profile of each jobstream service there (see cpu-profile.cjs).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BenchRow, freePort, loadPerJob, type ProcessLoad, percentile, startSystem, waitFor } from '@jobstream/testing';
import { connect, JSONCodec, type NatsConnection } from 'nats';

const SAMPLES = Number(process.env.BENCH_SYNC_SAMPLES ?? 2_000);
const WARMUP = 300;
const BULL_CONCURRENCY = 50;
const TENANT = 'bench';

interface Latency {
  p50: number;
  p99: number;
  mean: number;
}

async function measure(count: number, op: () => Promise<void>): Promise<Latency> {
  for (let i = 0; i < WARMUP; i++) await op();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await op();
    samples.push(performance.now() - started);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** POST over a keep-alive connection with node:http (fetch adds ~0.3 ms of its own per call). */
function postJson(agent: Agent, port: number, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The floor: a responder in its own process that answers every request with its payload. */
async function startEcho(url: string): Promise<ChildProcess> {
  const script = `const { connect } = require('nats');
connect({ servers: ${JSON.stringify(url)} }).then(async (nc) => {
  nc.subscribe('bench.echo', { queue: 'echo', callback: (_e, m) => m.respond(m.data) });
  await nc.flush();
  process.stdout.write('ready\\n');
});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  await waitFor(() => output.includes('ready'), 10_000, 10);
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

async function runJobstream(): Promise<{ http: Latency; nats: Latency; echo: Latency; load: { http: Map<string, ProcessLoad>; nats: Map<string, ProcessLoad> } }> {
  const profileDir = process.env.BENCH_CPU_PROF;
  const system = await startSystem({
    env: { LOG_LEVEL: 'warn', ...(profileDir && { NODE_OPTIONS: `--require ${resolve(__dirname, 'cpu-profile.cjs')}`, BENCH_CPU_PROF: resolve(profileDir) }) },
  });
  const nc: NatsConnection = await connect({ servers: system.nats.url });
  const echo = await startEcho(system.nats.url);
  const port = Number(new URL(system.gatewayUrl).port);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const codec = JSONCodec<{ statusCode: number; status: string }>();
  const body = JSON.stringify({ type: 'noop', payload: {} });
  const natsBody = new TextEncoder().encode(JSON.stringify({ payload: {} }));
  try {
    const processes = [...system.processes.map((p) => ({ name: p.name, pid: p.process.pid })), { name: 'nats-server', pid: system.nats.process.pid }];
    let http!: Latency;
    const httpLoad = await loadPerJob(processes, SAMPLES + WARMUP, async () => {
      http = await measure(SAMPLES, async () => {
        const res = await postJson(agent, port, `/${TENANT}/api/jobs:run`, body);
        if (res.status !== 200) throw new Error(`jobs:run answered ${res.status}: ${res.text}`);
      });
    });
    let nats!: Latency;
    const natsLoad = await loadPerJob(processes, SAMPLES + WARMUP, async () => {
      nats = await measure(SAMPLES, async () => {
        const reply = codec.decode((await nc.request(`jobs.sync.${TENANT}.noop`, natsBody, { timeout: 10_000 })).data);
        if (reply.statusCode !== 200) throw new Error(`jobs.sync answered ${JSON.stringify(reply)}`);
      });
    });
    const payload = new TextEncoder().encode('{"payload":{}}');
    const floor = await measure(SAMPLES, async () => {
      await nc.request('bench.echo', payload, { timeout: 10_000 });
    });
    if (profileDir) {
      for (const p of system.processes) p.process.kill('SIGUSR2');
      await new Promise((done) => setTimeout(done, 1_000));
    }
    return { http, nats, echo: floor, load: { http: httpLoad, nats: natsLoad } };
  } finally {
    agent.destroy();
    await stopChild(echo);
    await nc.close();
    await system.stop();
  }
}

/** BullMQ needs a Redis client package (ioredis), an optional peer dependency it does not install. */
function redisClientMissing(): boolean {
  try {
    require.resolve('ioredis');
    return false;
  } catch {
    return true;
  }
}

async function runBull(): Promise<Latency> {
  const { Queue, QueueEvents, Worker } = await import('bullmq');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'jobstream-bench-redis-'));
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  redis.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  await waitFor(() => output.includes('Ready to accept connections'), 10_000, 20);
  const connection = { host: '127.0.0.1', port };
  const queue = new Queue('sync-bench', { connection });
  const events = new QueueEvents('sync-bench', { connection });
  const worker = new Worker('sync-bench', async () => undefined, { connection, concurrency: BULL_CONCURRENCY });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    return await measure(SAMPLES, async () => {
      const job = await queue.add('noop', {}, { removeOnComplete: 1_000 });
      await job.waitUntilFinished(events, 10_000);
    });
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    await stopChild(redis);
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (n: number) => Math.round(n * 1000) / 1000;

export async function bench(): Promise<{ title: string; rows: BenchRow[] }[]> {
  const ours = await runJobstream();
  const bullMissing = redisClientMissing();
  if (bullMissing) process.stderr.write('BullMQ row skipped: its Redis client (ioredis) is not installed (npm i -D ioredis)\n');
  const bull = bullMissing ? null : await runBull();
  const row = (what: string, l: Latency | null, note = ''): BenchRow =>
    l === null
      ? { what, 'p50 ms': 'n/a', 'p99 ms': 'n/a', 'mean ms': 'n/a', 'p50 / echo': 'n/a', note }
      : { what, 'p50 ms': ms(l.p50), 'p99 ms': ms(l.p99), 'mean ms': ms(l.mean), 'p50 / echo': `${(l.p50 / ours.echo.p50).toFixed(1)}×`, note };
  return [
    {
      title: `Sync no-op job latency, ${SAMPLES.toLocaleString('en-US')} sequential requests after ${WARMUP} warm-up (real processes)`,
      rows: [
        row('jobstream sync job over NATS (jobs.sync)', ours.nats, 'submitted + started + completed in one append before the reply'),
        row('jobstream sync job over HTTP (POST jobs:run)', ours.http, 'keep-alive node:http client'),
        row('bare NATS request-reply echo (floor)', ours.echo, 'responder in another process'),
        row('BullMQ add + waitUntilFinished', bull, bullMissing ? 'skipped: ioredis not installed' : `Worker in-process, concurrency ${BULL_CONCURRENCY}, AOF everysec`),
      ],
    },
    {
      title: 'CPU ms and wake-ups per sync job, by process (the rows above, warm-up included)',
      rows: [...ours.load.nats.keys(), 'total'].map((what) => {
        const of = (m: Map<string, ProcessLoad>, key: keyof ProcessLoad) =>
          what === 'total' ? [...m.values()].reduce((sum, load) => sum + load[key], 0) : m.get(what)![key];
        return {
          what,
          'NATS CPU ms': ms(of(ours.load.nats, 'cpuMs')),
          'NATS wake-ups': of(ours.load.nats, 'wakeUps').toFixed(1),
          'HTTP CPU ms': ms(of(ours.load.http, 'cpuMs')),
          'HTTP wake-ups': of(ours.load.http, 'wakeUps').toFixed(1),
        };
      }),
    },
  ];
}
