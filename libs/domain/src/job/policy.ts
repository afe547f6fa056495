/** How a failed job is retried without a person asking for it. */
export interface RetryPolicy {
  /** Total attempts including the first; 1 means the job is never retried automatically. */
  maxAttempts: number;
  backoff: { kind: 'fixed' | 'exponential'; initialMs: number; maxMs: number };
  /** When true the delay is spread with "equal jitter", see backoffDelayMs. */
  jitter: boolean;
  /** Error names (`error.name`) that make a failure final whatever attempts remain. */
  nonRetryableErrors: string[];
}

export interface JobTimeouts {
  /** Silence after which the job becomes TIMED_OUT and may be taken over or resumed. */
  firstDeadlineMs: number;
  /** Silence after which a watcher fails the job for good. */
  secondDeadlineMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 1,
  backoff: { kind: 'exponential', initialMs: 1_000, maxMs: 60_000 },
  jitter: false,
  nonRetryableErrors: [],
};

export const defaultTimeouts: JobTimeouts = { firstDeadlineMs: 30_000, secondDeadlineMs: 120_000 };

/**
 * Delay before attempt `attempt + 1` after attempt `attempt` failed.
 * Fixed: initialMs. Exponential: min(maxMs, initialMs * 2^(attempt-1)).
 * Jitter is "equal jitter": delay * (0.5 + jitter / 2), so the delay stays within [delay/2, delay)
 * and retries of many jobs failing together spread out without ever retrying immediately.
 * `jitter` is a number in [0, 1) supplied by the caller because the domain never draws randomness.
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, jitter: number): number {
  const { kind, initialMs, maxMs } = policy.backoff;
  const base = kind === 'fixed' ? initialMs : Math.min(maxMs, initialMs * 2 ** (attempt - 1));
  return policy.jitter ? Math.floor(base * (0.5 + jitter / 2)) : base;
}

/** The policy allows another attempt when attempts remain and the error is not marked final. */
export function policyAllowsRetry(policy: RetryPolicy, attempt: number, errorName: string | undefined): boolean {
  if (attempt >= policy.maxAttempts) return false;
  return errorName === undefined || !policy.nonRetryableErrors.includes(errorName);
}
