import { positiveIntFromEnv } from '@jobstream/messaging';

export interface DeadlineConfig {
  /** How often the watcher looks for jobs past a deadline. */
  checkEveryMs: number;
  /** Only the scheduler holding the `deadline-watcher` lease watches; a standby takes over after this. */
  leaseTtlMs: number;
  /** How long a new leader waits for the projector's list of active jobs before reading the whole log. */
  seedTimeoutMs: number;
}

export function loadDeadlineConfig(env: NodeJS.ProcessEnv = process.env): DeadlineConfig {
  return {
    checkEveryMs: positiveIntFromEnv(env, 'DEADLINE_CHECK_MS', 1_000),
    leaseTtlMs: positiveIntFromEnv(env, 'DEADLINE_LEASE_TTL_MS', 15_000),
    seedTimeoutMs: positiveIntFromEnv(env, 'DEADLINE_SEED_TIMEOUT_MS', 30_000),
  };
}
