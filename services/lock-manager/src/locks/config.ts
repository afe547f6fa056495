import { DEFAULT_MAX_LOCKS_PER_JOB } from '@jobstream/domain';

/** MAX_LOCKS_PER_JOB (default 16): set it to the gateway's value, which rejects larger requests at submit. */
export function loadMaxLocksPerJob(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MAX_LOCKS_PER_JOB?.trim();
  if (raw === undefined || raw === '') return DEFAULT_MAX_LOCKS_PER_JOB;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`MAX_LOCKS_PER_JOB="${raw}" is invalid: expected a positive integer`);
  }
  return value;
}
