import { WATCHER, type JobCommand } from './commands';
import { decideJob } from './decide';
import { errorCodeOf, run, submit, testContext, T0 } from './job.test-helper';

const start = (executorId = 'e1'): JobCommand => ({ type: 'start', executorId });
const running = () => run([submit(), start()]);

describe('decideJob: submit', () => {
  it('records defaults and keeps optional fields out of the event when absent', () => {
    const [submitted] = run([submit()]).events;
    expect(submitted).toMatchObject({
      type: 'job.submitted',
      streamId: 'acme.job.j1',
      data: {
        jobId: 'j1',
        type: 'transcode',
        priority: 0,
        timeouts: { firstDeadlineMs: 30_000, secondDeadlineMs: 120_000 },
        locks: [],
        mode: 'async',
        workflowVariables: {},
        retry: { maxAttempts: 1 },
      },
    });
    expect(submitted.data).not.toHaveProperty('idempotencyKey');
    expect(submitted.data).not.toHaveProperty('definitionId');
  });

  it('records the caller\'s deadline of a sync job', () => {
    const [submitted] = run([submit({ mode: 'sync', syncDeadline: '2026-01-01T00:00:05.000Z' })]).events;
    expect(submitted.data).toMatchObject({ mode: 'sync', syncDeadline: '2026-01-01T00:00:05.000Z' });
  });

  it('waits for locks when the job needs any', () => {
    const locks = [{ resource: 'db', mode: 'SHARED' as const }];
    const { events, state } = run([submit({ locks, idempotencyKey: 'k1', definitionId: 'd1', mode: 'sync' })]);
    expect(events.map((e) => e.type)).toEqual(['job.submitted', 'job.waiting-for-lock']);
    expect(events[1].data).toEqual({ locks });
    expect(state).toMatchObject({ status: 'WAITING_FOR_LOCK', idempotencyKey: 'k1', definitionId: 'd1', mode: 'sync' });
  });

  it.each([
    ['no job id', { jobId: '' }],
    ['no job type', { jobType: '' }],
    ['fractional priority', { priority: 1.5 }],
    ['a zero first deadline', { timeouts: { firstDeadlineMs: 0, secondDeadlineMs: 10 } }],
    ['a second deadline before the first', { timeouts: { firstDeadlineMs: 10, secondDeadlineMs: 10 } }],
    ['a lock without resource', { locks: [{ resource: '', mode: 'SHARED' as const }] }],
    ['an unknown lock mode', { locks: [{ resource: 'db', mode: 'READ' as never }] }],
    ['one resource twice', { locks: [{ resource: 'db', mode: 'SHARED' as const }, { resource: 'db', mode: 'EXCLUSIVE' as const }] }],
    ['zero attempts', { retry: { maxAttempts: 0, backoff: { kind: 'fixed' as const, initialMs: 0, maxMs: 0 }, jitter: false, nonRetryableErrors: [] } }],
    ['maxMs below initialMs', { retry: { maxAttempts: 2, backoff: { kind: 'fixed' as const, initialMs: 10, maxMs: 5 }, jitter: false, nonRetryableErrors: [] } }],
    ['an unknown mode', { mode: 'batch' as never }],
    ['a sync deadline on an async job', { syncDeadline: '2026-01-01T00:00:05.000Z' }],
    ['a sync deadline that is not a time', { mode: 'sync' as const, syncDeadline: 'soon' }],
    ['non-object workflow variables', { workflowVariables: [] as never }],
    ['an empty idempotency key', { idempotencyKey: '' }],
  ])('rejects %s', (_, extra) => {
    expect(errorCodeOf(() => decideJob(submit(extra), run([]).state, testContext()))).toBe('INVALID_ARGUMENT');
  });
});

describe('decideJob: execution by the owner', () => {
  it.each<JobCommand>([
    { type: 'progress', executorId: 'e2', percent: 10, message: '' },
    { type: 'completeStep', executorId: 'e2', name: 's', result: null },
    { type: 'complete', executorId: 'e2' },
    { type: 'fail', executorId: 'e2', message: 'x' },
    { type: 'fail', executorId: WATCHER, message: 'x' },
    { type: 'timeOut', executorId: 'e2' },
  ])('refuses $type from an executor that does not own the job ($executorId)', (command) => {
    const { state, ctx } = running();
    expect(errorCodeOf(() => decideJob(command, state, ctx))).toBe('NOT_OWNER');
  });

  it.each([-1, 100.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects progress of %p percent', (percent) => {
    const { state, ctx } = running();
    const command: JobCommand = { type: 'progress', executorId: 'e1', percent, message: '' };
    expect(errorCodeOf(() => decideJob(command, state, ctx))).toBe('INVALID_ARGUMENT');
  });

  it('accepts 0 and 100 percent', () => {
    const { state } = run([submit(), start(), { type: 'progress', executorId: 'e1', percent: 0, message: 'a' }, { type: 'progress', executorId: 'e1', percent: 100, message: 'b' }]);
    expect(state.progress).toEqual({ percent: 100, message: 'b' });
  });

  it('records each step once', () => {
    const step: JobCommand = { type: 'completeStep', executorId: 'e1', name: 'download', result: 1 };
    const { state, ctx } = run([submit(), start(), step]);
    expect(state.steps).toEqual({ download: 1 });
    expect(errorCodeOf(() => decideJob(step, state, ctx))).toBe('ILLEGAL_TRANSITION');
    expect(errorCodeOf(() => decideJob({ ...step, name: '' }, state, ctx))).toBe('INVALID_ARGUMENT');
  });

  it('refuses to start a job twice, and refuses the watcher as an executor', () => {
    const { state, ctx } = running();
    expect(() => decideJob(start('e2'), state, ctx)).toThrow('cannot start a job twice');
    const queued = run([submit()]);
    expect(errorCodeOf(() => decideJob(start(WATCHER), queued.state, queued.ctx))).toBe('INVALID_ARGUMENT');
  });

  it('completes with variables merged into the workflow variables and progress at 100', () => {
    const { state, events } = run([
      submit({ workflowVariables: { a: 1, b: 1 } }),
      start(),
      { type: 'complete', executorId: 'e1', jobVariables: { x: 1 }, workflowVariables: { b: 2 }, output: [1] },
    ]);
    expect(events[2].data).toEqual({ executorId: 'e1', jobVariables: { x: 1 }, workflowVariables: { b: 2 }, output: [1] });
    expect(state).toMatchObject({
      status: 'COMPLETED',
      executorId: null,
      jobVariables: { x: 1 },
      workflowVariables: { a: 1, b: 2 },
      output: [1],
      progress: { percent: 100 },
      endedAt: T0.toISOString(),
    });
  });
});

describe('decideJob: failures', () => {
  it('keeps a thrown error with its stack', () => {
    const error = { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x\n  at h.ts:1' };
    const { state, events } = run([submit(), start(), { type: 'fail', executorId: 'e1', message: 'x is undefined', error }]);
    expect(events[2].data).toEqual({ executorId: 'e1', message: 'x is undefined', error });
    expect(state.lastError).toEqual({ message: 'x is undefined', error });
  });

  it('keeps only the message of a structured failure', () => {
    const { state, events } = run([submit(), start(), { type: 'fail', executorId: 'e1', message: 'file not found' }]);
    expect(events[2].data).toEqual({ executorId: 'e1', message: 'file not found' });
    expect(state.lastError).toEqual({ message: 'file not found' });
  });

  it('rejects a failure without a message', () => {
    const { state, ctx } = running();
    expect(errorCodeOf(() => decideJob({ type: 'fail', executorId: 'e1', message: '' }, state, ctx))).toBe('INVALID_ARGUMENT');
  });

  it('lets the watcher fail a timed-out job past the second deadline', () => {
    const { state } = run([submit(), start(), { type: 'timeOut', executorId: 'e1' }, { type: 'fail', executorId: WATCHER, message: 'second deadline' }]);
    expect(state).toMatchObject({ status: 'FAILED', lastError: { message: 'second deadline' } });
  });
});

describe('decideJob: which executor ran the job', () => {
  it('keeps the executor of the latest attempt once it ended, and forgets it when the job is queued again', () => {
    const completed = run([submit(), start('e7'), { type: 'complete', executorId: 'e7' }]).state;
    expect(completed).toMatchObject({ status: 'COMPLETED', executorId: null, lastExecutorId: 'e7' });
    const { state: failed, ctx } = run([submit(), start('e7'), { type: 'fail', executorId: 'e7', message: 'x' }]);
    expect(failed).toMatchObject({ status: 'FAILED', lastExecutorId: 'e7' });
    expect(run([{ type: 'retry' }], ctx, failed).state).toMatchObject({ status: 'QUEUED', lastExecutorId: null });
  });
});

describe('decideJob: timeouts, takeover and resume', () => {
  const timedOut = () => run([submit(), start(), { type: 'completeStep', executorId: 'e1', name: 's1', result: 1 }, { type: 'timeOut', executorId: 'e1' }]);

  it('remembers the owner when the job times out', () => {
    expect(timedOut().state).toMatchObject({ status: 'TIMED_OUT', executorId: null, previousExecutorId: 'e1' });
  });

  it('resumes with the previous owner only', () => {
    const { state, ctx } = timedOut();
    expect(errorCodeOf(() => decideJob({ type: 'resume', executorId: 'e2' }, state, ctx))).toBe('NOT_OWNER');
    const { state: resumed } = run([{ type: 'resume', executorId: 'e1' }], ctx, state);
    expect(resumed).toMatchObject({ status: 'RUNNING', executorId: 'e1', previousExecutorId: null, steps: { s1: 1 } });
  });

  it('lets another executor take over, keeping the attempt and the completed steps', () => {
    const { state, ctx } = timedOut();
    const { state: taken, events } = run([start('e2')], ctx, state);
    expect(events[0].data).toEqual({ executorId: 'e2', attempt: 1 });
    expect(taken).toMatchObject({ status: 'RUNNING', executorId: 'e2', attempt: 1, steps: { s1: 1 } });
  });

  it('has nobody to fail a timed-out job but the watcher', () => {
    const { state, ctx } = timedOut();
    expect(errorCodeOf(() => decideJob({ type: 'fail', executorId: 'e1', message: 'late' }, state, ctx))).toBe('NOT_OWNER');
  });
});

describe('decideJob: cancellation', () => {
  it('asks a running handler, which confirms, possibly after abandoning it', () => {
    const { state, events } = run([
      submit(),
      start(),
      { type: 'requestCancel', reason: 'operator' },
      { type: 'confirmCancel', executorId: 'e1', abandoned: true },
    ]);
    expect(events.slice(2).map((e) => [e.type, e.data])).toEqual([
      ['job.cancel-requested', { reason: 'operator' }],
      ['job.cancelled', { reason: 'operator', abandoned: true }],
    ]);
    expect(state).toMatchObject({ status: 'CANCELLED', executorId: null });
  });

  it('refuses a second request and a confirmation from another executor', () => {
    const { state, ctx } = run([submit(), start(), { type: 'requestCancel' }]);
    expect(errorCodeOf(() => decideJob({ type: 'requestCancel' }, state, ctx))).toBe('ILLEGAL_TRANSITION');
    expect(errorCodeOf(() => decideJob({ type: 'confirmCancel', executorId: 'e2', abandoned: false }, state, ctx))).toBe('NOT_OWNER');
  });

  it('cancels at once a job whose pending request outlived its executor', () => {
    const { state, ctx } = run([submit(), start(), { type: 'requestCancel', reason: 'r1' }, { type: 'timeOut', executorId: 'e1' }]);
    const events = decideJob({ type: 'requestCancel' }, state, ctx);
    expect(events.map((e) => [e.type, e.data])).toEqual([['job.cancelled', { reason: 'r1', abandoned: false }]]);
  });

  it('omits the reason when none was given', () => {
    const { events } = run([submit(), { type: 'requestCancel' }]);
    expect(events.slice(1).map((e) => e.data)).toEqual([{}, { abandoned: false }]);
  });
});

describe('decideJob: orphaned jobs', () => {
  it('puts a silent running job back in the queue without spending an attempt', () => {
    const { state, ctx } = run([submit(), start(), { type: 'completeStep', executorId: 'e1', name: 's', result: 1 }]);
    ctx.advance(60_000);
    const { state: orphaned, events } = run([{ type: 'markOrphaned', thresholdMs: 60_000 }], ctx, state);
    expect(events[0].data).toEqual({ executorId: 'e1', lastEventAt: T0.toISOString(), thresholdMs: 60_000 });
    expect(orphaned).toMatchObject({ status: 'QUEUED', executorId: null, attempt: 1, steps: { s: 1 } });
    expect(errorCodeOf(() => decideJob({ type: 'markOrphaned', thresholdMs: 60_000 }, orphaned, ctx))).toBe('ILLEGAL_TRANSITION');
  });

  it('refuses a job that reported within the threshold, and a non-positive threshold', () => {
    const { state, ctx } = running();
    ctx.advance(59_999);
    expect(errorCodeOf(() => decideJob({ type: 'markOrphaned', thresholdMs: 60_000 }, state, ctx))).toBe('ILLEGAL_TRANSITION');
    expect(errorCodeOf(() => decideJob({ type: 'markOrphaned', thresholdMs: 0 }, state, ctx))).toBe('INVALID_ARGUMENT');
  });
});

describe('decideJob: manual retry', () => {
  it('starts a new attempt at once, queuing for locks again', () => {
    const locks = [{ resource: 'db', mode: 'EXCLUSIVE' as const }];
    const { state, ctx } = run([submit({ locks }), { type: 'grantLock' }, start(), { type: 'fail', executorId: 'e1', message: 'x' }]);
    ctx.advance(5_000);
    const { state: retried, events } = run([{ type: 'retry' }], ctx, state);
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ['job.retried', { attempt: 2, reason: 'manual', notBefore: ctx.now.toISOString() }],
      ['job.waiting-for-lock', { locks }],
    ]);
    expect(retried).toMatchObject({ status: 'WAITING_FOR_LOCK', attempt: 2, endedAt: null, lastError: { message: 'x' } });
  });

  it('ignores maxAttempts: a person may always retry', () => {
    const { state } = run([submit(), start(), { type: 'fail', executorId: 'e1', message: 'x' }, { type: 'retry' }, start(), { type: 'fail', executorId: 'e1', message: 'y' }, { type: 'retry' }]);
    expect(state).toMatchObject({ status: 'QUEUED', attempt: 3 });
  });
});
