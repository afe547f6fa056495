import { hostname } from 'node:os';
import { Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process: every jobstream metric registers here, and `/metrics` serves it. */
export const metricsRegistry = new Registry();

/** `host:pid` tells two instances of one service apart once `/metrics/all` merges them. */
export const INSTANCE = `${hostname()}:${process.pid}`;

// Appends are milliseconds on a healthy store; the tail up to 5 s is what an operator hunts.
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
// Handlers range from an echo (microseconds) to a listener running for hours.
const HANDLER_BUCKETS = [0.005, 0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600, 14_400];

export const eventAppendSeconds = new Histogram({
  name: 'jobstream_event_append_seconds',
  help: 'Latency of one event-store append (one commit), by aggregate and outcome (ok, conflict, error).',
  labelNames: ['aggregate', 'outcome'] as const,
  buckets: APPEND_BUCKETS,
  registers: [metricsRegistry],
});

export const handlerDurationSeconds = new Histogram({
  name: 'jobstream_handler_duration_seconds',
  help: 'Time a job handler ran on this executor, by job type and outcome (returned, threw, cancelled).',
  labelNames: ['type', 'outcome'] as const,
  buckets: HANDLER_BUCKETS,
  registers: [metricsRegistry],
});

export const handlersRunning = new Gauge({
  name: 'jobstream_executor_jobs_running',
  help: 'Handlers running right now on this executor (its capacity in use), by job type.',
  labelNames: ['type'] as const,
  registers: [metricsRegistry],
});

/**
 * Runs a handler under the duration histogram and the running gauge; `outcomeOf` names how it ended
 * without this module knowing the runner's result type.
 */
export async function timeHandler<T>(type: string, run: () => Promise<T>, outcomeOf: (result: T) => string): Promise<T> {
  const stop = handlerDurationSeconds.startTimer({ type });
  handlersRunning.inc({ type });
  let outcome = 'threw';
  try {
    const result = await run();
    outcome = outcomeOf(result);
    return result;
  } finally {
    handlersRunning.dec({ type });
    stop({ outcome });
  }
}
