export interface OrphanConfig {
  /** How often RUNNING jobs are checked for silence (seed Activate: every 60 minutes). */
  scanPeriodMs: number;
  /** A RUNNING job with no event and no heartbeat for this long is an orphan. */
  thresholdMs: number;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}="${raw}" must be a positive integer`);
  return value;
}

export function loadOrphanConfig(env: NodeJS.ProcessEnv = process.env): OrphanConfig {
  return {
    scanPeriodMs: positiveInt(env, 'ORPHAN_SCAN_PERIOD_MS', 3_600_000),
    thresholdMs: positiveInt(env, 'ORPHAN_THRESHOLD_MS', 3_600_000),
  };
}
