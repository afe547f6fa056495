/**
 * Durable timers: 100,000 pending `timer.scheduled` events, then
 * - the cold rebuild (no snapshot: the engine follows the log and writes its KV snapshot),
 * - the warm rebuild (what a restarting or newly elected scheduler does: read the KV snapshot),
 * - the scheduler's heap growth for the pending set,
 * - the lateness of a burst of 1,000 timers due in the same second.
 */
import { randomUUID } from 'node:crypto';
import { decideTimer, initialTimerState, type EventContext } from '@jobstream/domain';
import { JetStreamEventStore } from '@jobstream/event-store';
import { percentile, startNatsServer, waitFor, type BenchRow } from '@jobstream/testing';
import { connect } from 'nats';
import { TimerEngine } from '../services/scheduler/src/timers/timer-engine';

const PENDING = 100_000;
const BURST = 1_000;
const APPEND_CONCURRENCY = 128;
const phase = (name: string) => process.stderr.write(`timers: ${name}\n`);

const ctx = (tenant: string): EventContext => ({ tenant, now: new Date(), newId: randomUUID, actor: 'bench', correlationId: 'bench', causationId: null });

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

export async function bench(): Promise<{ title: string; rows: BenchRow[] }[]> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const store = await JetStreamEventStore.start(nc);
  try {
    // Far in the future (a year, beyond setTimeout's range): they stay pending throughout.
    const dueAt = new Date(Date.now() + 365 * 86_400_000).toISOString();
    let next = 0;
    const appendStarted = Date.now();
    await Promise.all(
      Array.from({ length: APPEND_CONCURRENCY }, async () => {
        while (next < PENDING) {
          const i = next++;
          const events = decideTimer({ type: 'schedule', timerId: `t${i}`, dueAt, target: { kind: 'bench' } }, initialTimerState, ctx('bench'));
          await store.append(events[0].streamId, events, 'no_stream');
        }
      }),
    );
    const appendMs = Date.now() - appendStarted;
    phase('appended; cold rebuild');

    const cold = new TimerEngine(store, nc, { checkpointKey: 'bench-timers' });
    const coldStarted = Date.now();
    await cold.start();
    await waitFor(() => cold.size >= PENDING, 600_000, 100);
    // The snapshot is complete once the projection's writes are flushed.
    await cold.stop();
    const coldMs = Date.now() - coldStarted;

    phase('warm rebuild');
    const warmHeapBefore = heapUsed();
    const warm = new TimerEngine(store, nc, { checkpointKey: 'bench-timers' });
    const warmStarted = Date.now();
    const { loaded } = await warm.start();
    const warmMs = Date.now() - warmStarted;
    const warmHeap = heapUsed() - warmHeapBefore;

    phase('burst');
    // The burst: 1,000 timers due at the same whole second, a few seconds ahead.
    const lateness: number[] = [];
    const burst = new TimerEngine(store, nc, { checkpointKey: 'bench-timers-burst', onFired: (timer, firedAt) => lateness.push(firedAt - timer.dueAt) });
    await warm.stop();
    await burst.start();
    const due = Math.ceil((Date.now() + 5_000) / 1000) * 1000;
    let n = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (n < BURST) {
          const i = n++;
          await burst.schedule('burst', { timerId: `b${i}`, dueAt: new Date(due).toISOString(), target: { kind: 'bench' } });
        }
      }),
    );
    await waitFor(() => lateness.length >= BURST, 120_000, 50);
    await burst.stop();

    return [
      {
        title: `Durable timers: ${PENDING.toLocaleString('en-US')} pending (nats-server 2.9, file storage, one scheduler)`,
        rows: [
          { measurement: `append ${PENDING.toLocaleString('en-US')} timer.scheduled`, value: seconds(appendMs), rate: `${Math.round(PENDING / (appendMs / 1000)).toLocaleString('en-US')}/s` },
          { measurement: 'cold rebuild: follow the log, write the KV snapshot', value: seconds(coldMs), rate: `${Math.round(PENDING / (coldMs / 1000)).toLocaleString('en-US')}/s` },
          { measurement: 'warm rebuild (start-up): read the KV snapshot into the heap', value: seconds(warmMs), rate: `${Math.round(loaded / (warmMs / 1000)).toLocaleString('en-US')}/s` },
          { measurement: 'scheduler heap for the pending set', value: mib(warmHeap), rate: `${Math.round(warmHeap / Math.max(1, loaded))} B/timer` },
        ],
      },
      {
        title: `Durable timers: lateness of ${BURST.toLocaleString('en-US')} timers due in the same second (fire = append timer.fired)`,
        rows: [
          { percentile: 'p50', lateness: `${percentile(lateness, 50)} ms` },
          { percentile: 'p99', lateness: `${percentile(lateness, 99)} ms` },
          { percentile: 'max', lateness: `${Math.max(...lateness)} ms` },
        ],
      },
    ];
  } finally {
    await store.close();
    await nc.close();
    await server.stop();
  }
}
