export interface FleetConfig {
  /** An executor's registry entry expires this long after its last refresh (refreshed every TTL/3). */
  executorTtlMs: number;
  /** How often each running job's heartbeat is written; keep it well under the jobs' first deadline. */
  heartbeatIntervalMs: number;
  /** A singleton job's lease expires this long after its last renewal (renewed every TTL/3). */
  leaseTtlMs: number;
  /** Set when EXECUTOR_ID is: only a stable id can find the jobs a previous run of this executor left. */
  stableId: boolean;
  /** How long start-up waits for the projector to list the jobs this executor still owns. */
  recoveryTimeoutMs: number;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}="${raw}" must be a positive integer`);
  return value;
}

export function loadFleetConfig(env: NodeJS.ProcessEnv = process.env): FleetConfig {
  return {
    executorTtlMs: positiveInt(env, 'EXECUTOR_TTL_MS', 15_000),
    heartbeatIntervalMs: positiveInt(env, 'HEARTBEAT_INTERVAL_MS', 5_000),
    leaseTtlMs: positiveInt(env, 'JOB_LEASE_TTL_MS', 15_000),
    stableId: Boolean(env.EXECUTOR_ID),
    recoveryTimeoutMs: positiveInt(env, 'RECOVERY_TIMEOUT_MS', 15_000),
  };
}
