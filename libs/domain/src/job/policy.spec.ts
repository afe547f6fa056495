import type { JobCommand } from './commands';
import { decideJob } from './decide';
import { backoffDelayMs, defaultRetryPolicy, policyAllowsRetry, type RetryPolicy } from './policy';
import { errorCodeOf, run, submit, T0 } from './job.test-helper';

const policy = (over: Partial<RetryPolicy> = {}, backoff: Partial<RetryPolicy['backoff']> = {}): RetryPolicy => ({
  maxAttempts: 3,
  backoff: { kind: 'exponential', initialMs: 1_000, maxMs: 5_000, ...backoff },
  jitter: false,
  nonRetryableErrors: ['ValidationError'],
  ...over,
});

describe('backoffDelayMs', () => {
  it('waits initialMs every time with a fixed backoff', () => {
    const fixed = policy({}, { kind: 'fixed' });
    expect([1, 2, 5].map((a) => backoffDelayMs(fixed, a, 0))).toEqual([1_000, 1_000, 1_000]);
  });

  it('doubles per attempt up to maxMs with an exponential backoff', () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffDelayMs(policy(), a, 0))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('applies equal jitter: between half and all of the delay', () => {
    const jittered = policy({ jitter: true });
    expect(backoffDelayMs(jittered, 2, 0)).toBe(1_000);
    expect(backoffDelayMs(jittered, 2, 0.5)).toBe(1_500);
    expect(backoffDelayMs(jittered, 2, 0.999)).toBe(1_999);
  });

  it('ignores the draw when the policy has no jitter', () => {
    expect(backoffDelayMs(policy(), 2, 0.7)).toBe(2_000);
  });
});

describe('policyAllowsRetry', () => {
  it('never retries with the default policy', () => {
    expect(defaultRetryPolicy.maxAttempts).toBe(1);
    expect(policyAllowsRetry(defaultRetryPolicy, 1, undefined)).toBe(false);
  });

  it('retries while attempts remain, unless the error is non-retryable', () => {
    expect(policyAllowsRetry(policy(), 2, 'TypeError')).toBe(true);
    expect(policyAllowsRetry(policy(), 3, 'TypeError')).toBe(false);
    expect(policyAllowsRetry(policy(), 1, 'ValidationError')).toBe(false);
    expect(policyAllowsRetry(policy(), 1, undefined)).toBe(true);
  });
});

describe('fail under a retry policy', () => {
  const fail = (extra: Partial<Extract<JobCommand, { type: 'fail' }>> = {}): JobCommand => ({
    type: 'fail',
    executorId: 'e1',
    message: 'boom',
    ...extra,
  });
  const at = (ms: number) => new Date(T0.getTime() + ms).toISOString();

  it('fails, then schedules the next attempt after the backoff', () => {
    const { events, state } = run([submit({ retry: policy() }), { type: 'start', executorId: 'e1' }, fail()]);
    expect(events.slice(2).map((e) => [e.type, e.data])).toEqual([
      ['job.failed', { executorId: 'e1', message: 'boom' }],
      ['job.retried', { attempt: 2, reason: 'policy', notBefore: at(1_000) }],
    ]);
    expect(state).toMatchObject({ status: 'QUEUED', attempt: 2, notBefore: at(1_000), lastError: { message: 'boom' } });
  });

  it('refuses to start before notBefore and starts at notBefore', () => {
    const { state, ctx } = run([submit({ retry: policy() }), { type: 'start', executorId: 'e1' }, fail()]);
    ctx.advance(999);
    expect(errorCodeOf(() => decideJob({ type: 'start', executorId: 'e2' }, state, ctx))).toBe('ILLEGAL_TRANSITION');
    ctx.advance(1);
    expect(decideJob({ type: 'start', executorId: 'e2' }, state, ctx)[0].data).toEqual({ executorId: 'e2', attempt: 2 });
  });

  it('stops after maxAttempts, the last failure being final', () => {
    const s = { type: 'start', executorId: 'e1' } as const;
    const { state, ctx, events } = run([submit({ retry: policy({}, { initialMs: 0 }) }), s, fail(), s, fail(), s, fail()]);
    expect(events.map((e) => e.type).filter((t) => t === 'job.retried')).toHaveLength(2);
    expect(state).toMatchObject({ status: 'FAILED', attempt: 3 });
    expect(errorCodeOf(() => decideJob(s, state, ctx))).toBe('ILLEGAL_TRANSITION');
  });

  it('does not retry a non-retryable thrown error', () => {
    const error = { name: 'ValidationError', message: 'bad input', stack: 'ValidationError: bad input' };
    const { events } = run([submit({ retry: policy() }), { type: 'start', executorId: 'e1' }, fail({ error })]);
    expect(events.at(-1)?.type).toBe('job.failed');
  });

  it('retries a retryable thrown error and a structured failure alike', () => {
    const error = { name: 'TypeError', message: 'x', stack: 'TypeError: x' };
    const thrown = run([submit({ retry: policy() }), { type: 'start', executorId: 'e1' }, fail({ error })]);
    expect(thrown.events.at(-1)?.type).toBe('job.retried');
    expect(thrown.state.lastError).toEqual({ message: 'boom', error });
  });

  it('uses the caller-supplied jitter draw', () => {
    const { events } = run([submit({ retry: policy({ jitter: true }) }), { type: 'start', executorId: 'e1' }, fail({ jitter: 0.5 })]);
    expect(events.at(-1)?.data).toMatchObject({ notBefore: at(750) });
  });

  it('requires a jitter draw in [0, 1) when the policy jitters', () => {
    const { state, ctx } = run([submit({ retry: policy({ jitter: true }) }), { type: 'start', executorId: 'e1' }]);
    expect(errorCodeOf(() => decideJob(fail(), state, ctx))).toBe('INVALID_ARGUMENT');
    expect(errorCodeOf(() => decideJob(fail({ jitter: 1 }), state, ctx))).toBe('INVALID_ARGUMENT');
    expect(errorCodeOf(() => decideJob(fail({ jitter: -0.1 }), state, ctx))).toBe('INVALID_ARGUMENT');
  });

  it('retries the watcher failure of a timed-out job too, and queues for locks again', () => {
    const locks = [{ resource: 'db', mode: 'SHARED' as const }];
    const { events, state } = run([
      submit({ retry: policy(), locks }),
      { type: 'grantLock' },
      { type: 'start', executorId: 'e1' },
      { type: 'timeOut', executorId: 'e1' },
      fail({ executorId: 'watcher', message: 'second deadline passed' }),
    ]);
    expect(events.slice(-3).map((e) => e.type)).toEqual(['job.failed', 'job.retried', 'job.waiting-for-lock']);
    expect(state.status).toBe('WAITING_FOR_LOCK');
  });
});
