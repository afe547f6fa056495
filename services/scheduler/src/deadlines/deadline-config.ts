export interface DeadlineConfig {
  /** How often the watcher looks for jobs past a deadline. */
  checkEveryMs: number;
  /** Only the scheduler holding the `deadline-watcher` lease watches; a standby takes over after this. */
  leaseTtlMs: number;
  /** How long a new leader waits for the projector's list of active jobs before reading the whole log. */
  seedTimeoutMs: number;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}="${raw}" must be a positive integer`);
  return value;
}

export function loadDeadlineConfig(env: NodeJS.ProcessEnv = process.env): DeadlineConfig {
  return {
    checkEveryMs: positiveInt(env, 'DEADLINE_CHECK_MS', 1_000),
    leaseTtlMs: positiveInt(env, 'DEADLINE_LEASE_TTL_MS', 15_000),
    seedTimeoutMs: positiveInt(env, 'DEADLINE_SEED_TIMEOUT_MS', 30_000),
  };
}
