import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { nonNegativeIntFromEnv, positiveIntFromEnv } from '@jobstream/messaging';

export interface ExecutorConfig {
  executorId: string;
  host: string;
  /** Jobs run at once by this executor, across all types. */
  capacity: number;
  /** Job types this executor serves; null = every registered handler. */
  types: string[] | null;
  /** How long a cancelled handler may take to stop before it is abandoned. */
  cancelGraceMs: number;
  /** How long a job's `started` may wait to be appended together with its outcome; 0 appends it at once. */
  startGraceMs: number;
}

export function loadExecutorConfig(env: NodeJS.ProcessEnv = process.env): ExecutorConfig {
  const host = hostname();
  return {
    executorId: env.EXECUTOR_ID || `${host}-${process.pid}-${randomUUID().slice(0, 8)}`,
    host,
    capacity: positiveIntFromEnv(env, 'EXECUTOR_CAPACITY', 64),
    types: env.EXECUTOR_TYPES ? env.EXECUTOR_TYPES.split(',').map((t) => t.trim()).filter(Boolean) : null,
    cancelGraceMs: positiveIntFromEnv(env, 'CANCEL_GRACE_MS', 10_000),
    startGraceMs: nonNegativeIntFromEnv(env, 'EXECUTOR_START_GRACE_MS', 50),
  };
}
