import { positiveIntFromEnv } from '@jobstream/messaging';

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

export function loadFleetConfig(env: NodeJS.ProcessEnv = process.env): FleetConfig {
  return {
    executorTtlMs: positiveIntFromEnv(env, 'EXECUTOR_TTL_MS', 15_000),
    heartbeatIntervalMs: positiveIntFromEnv(env, 'HEARTBEAT_INTERVAL_MS', 5_000),
    leaseTtlMs: positiveIntFromEnv(env, 'JOB_LEASE_TTL_MS', 15_000),
    stableId: Boolean(env.EXECUTOR_ID),
    recoveryTimeoutMs: positiveIntFromEnv(env, 'RECOVERY_TIMEOUT_MS', 15_000),
  };
}
