/**
 * The BullMQ side of bench/jobs.bench.ts: one worker process with a no-op processor, as a BullMQ
 * deployment runs it. Argv: <redis port> <queue name> <concurrency>.
 */
import { Worker } from 'bullmq';

const [port, queue, concurrency] = process.argv.slice(2);
const worker = new Worker(queue, async () => undefined, {
  connection: { host: '127.0.0.1', port: Number(port) },
  concurrency: Number(concurrency),
});
worker.on('ready', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  worker.close().then(() => process.exit(0));
});
