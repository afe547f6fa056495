import { positiveIntFromEnv } from '@jobstream/messaging';

export interface OrphanConfig {
  /** How often RUNNING jobs are checked for silence (seed Activate: every 60 minutes). */
  scanPeriodMs: number;
  /** A RUNNING job with no event and no heartbeat for this long is an orphan. */
  thresholdMs: number;
}

export function loadOrphanConfig(env: NodeJS.ProcessEnv = process.env): OrphanConfig {
  return {
    scanPeriodMs: positiveIntFromEnv(env, 'ORPHAN_SCAN_PERIOD_MS', 3_600_000),
    thresholdMs: positiveIntFromEnv(env, 'ORPHAN_THRESHOLD_MS', 3_600_000),
  };
}
