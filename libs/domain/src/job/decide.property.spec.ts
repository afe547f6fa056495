import fc from 'fast-check';
import { WATCHER, type JobCommand } from './commands';
import { decideJob } from './decide';
import { JOB_EVENT_TYPES, type JobEvent } from './events';
import { evolveJob, foldJob } from './evolve';
import { initialJobState, isTerminal, type JobState } from './state';
import { testContext } from './job.test-helper';
import { currentSchemaVersion } from '../upcasting/versions';

// Weighted so that histories go deep: the owner e1 acts most, cancellation and deletion rarely end them early.
const executor = fc.oneof({ arbitrary: fc.constant('e1'), weight: 4 }, fc.constant('e2'), fc.constant(WATCHER));
const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const retryPolicy = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  backoff: fc.record({
    kind: fc.constantFrom('fixed' as const, 'exponential' as const),
    initialMs: fc.integer({ min: 0, max: 2_000 }),
    maxMs: fc.constant(10_000),
  }),
  jitter: fc.boolean(),
  nonRetryableErrors: fc.constant<string[]>(['Fatal']),
});

const submitCommand: fc.Arbitrary<JobCommand> = fc.record({
  type: fc.constant('submit' as const),
  jobId: fc.constant('j1'),
  jobType: fc.constant('noop'),
  payload: fc.constant(null),
  locks: fc.constantFrom([], [{ resource: 'db', mode: 'EXCLUSIVE' as const }]),
  retry: retryPolicy,
});

const command: fc.Arbitrary<JobCommand> = fc.oneof(
  w(1, submitCommand),
  w(4, fc.constant({ type: 'grantLock' as const })),
  w(6, fc.record({ type: fc.constant('start' as const), executorId: executor })),
  w(3, fc.record({ type: fc.constant('progress' as const), executorId: executor, percent: fc.integer({ min: -5, max: 105 }), message: fc.constant('p') })),
  w(3, fc.record({ type: fc.constant('completeStep' as const), executorId: executor, name: fc.constantFrom('a', 'b'), result: fc.constant(1) })),
  w(2, fc.record({ type: fc.constant('complete' as const), executorId: executor })),
  w(
    4,
    fc.record({
      type: fc.constant('fail' as const),
      executorId: executor,
      message: fc.constant('boom'),
      error: fc.option(fc.record({ name: fc.constantFrom('Error', 'Fatal'), message: fc.constant('x'), stack: fc.constant('s') }), { nil: undefined }),
      jitter: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    }),
  ),
  w(1, fc.record({ type: fc.constant('requestCancel' as const) })),
  w(2, fc.record({ type: fc.constant('confirmCancel' as const), executorId: executor, abandoned: fc.boolean() })),
  w(3, fc.record({ type: fc.constant('timeOut' as const), executorId: executor })),
  w(3, fc.record({ type: fc.constant('resume' as const), executorId: executor })),
  w(4, fc.constant({ type: 'retry' as const })),
  w(2, fc.record({ type: fc.constant('markOrphaned' as const), thresholdMs: fc.integer({ min: 1, max: 3_000 }) })),
  w(1, fc.constant({ type: 'delete' as const })),
);

const scenario = fc.tuple(submitCommand, fc.array(fc.tuple(command, fc.integer({ min: 0, max: 3_000 })), { minLength: 20, maxLength: 80 }));

/** Plays a scenario, skipping the commands the decider refuses; records the state before each event. */
function play([first, rest]: [JobCommand, [JobCommand, number][]]) {
  const ctx = testContext();
  const history: { before: JobState; event: JobEvent }[] = [];
  let state = initialJobState;
  for (const [cmd, advanceMs] of [[first, 0] as [JobCommand, number], ...rest]) {
    ctx.advance(advanceMs);
    let events: JobEvent[];
    try {
      events = decideJob(cmd, state, ctx);
    } catch (e) {
      expect((e as Error).name).toBe('DomainError');
      continue;
    }
    for (const event of events) {
      history.push({ before: state, event });
      state = evolveJob(state, event);
    }
  }
  return { history, state };
}

const TERMINAL_EVENTS = ['job.completed', 'job.failed', 'job.cancelled'];
const property = (check: (run: ReturnType<typeof play>) => void) =>
  fc.assert(fc.property(scenario, (s) => check(play(s))), { numRuns: 400 });

describe('job decider properties over random legal histories', () => {
  it('ends at most once between two retries and after the last', () => {
    property(({ history }) => {
      let ends = 0;
      for (const { event } of history) {
        if (event.type === 'job.retried') ends = 0;
        else if (TERMINAL_EVENTS.includes(event.type)) expect(++ends).toBe(1);
      }
    });
  });

  it('allows nothing after an end but a retry or a deletion', () => {
    property(({ history }) => {
      history.forEach(({ event }, i) => {
        const next = history[i + 1]?.event.type;
        if (TERMINAL_EVENTS.includes(event.type) && next) expect(['job.retried', 'job.deleted']).toContain(next);
        if (event.type === 'job.deleted') expect(next).toBeUndefined();
      });
    });
  });

  it('counts every folded event in version', () => {
    property(({ history, state }) => {
      history.forEach(({ before }, i) => expect(before.version).toBe(i));
      expect(state.version).toBe(history.length);
    });
  });

  it('reaches the same state by folding the whole history as step by step', () => {
    property(({ history, state }) => {
      expect(foldJob(history.map((h) => h.event))).toEqual(state);
    });
  });

  it('stamps every event with the full envelope', () => {
    property(({ history }) => {
      for (const { event } of history) {
        expect(JOB_EVENT_TYPES).toContain(event.type);
        expect(event).toEqual(
          expect.objectContaining({
            eventId: expect.any(String),
            schemaVersion: currentSchemaVersion(event.type),
            streamId: 'acme.job.j1',
            tenant: 'acme',
            occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            correlationId: 'corr-1',
            causationId: null,
            actor: 'user:ann',
            data: expect.any(Object),
          }),
        );
      }
      expect(new Set(history.map((h) => h.event.eventId)).size).toBe(history.length);
    });
  });

  it('never starts a running job, and only ever starts a queued or timed-out one', () => {
    property(({ history }) => {
      for (const { before, event } of history) {
        if (event.type === 'job.started') expect(['QUEUED', 'TIMED_OUT']).toContain(before.status);
      }
    });
  });

  it('gives a running job exactly one owner and any other job none', () => {
    property(({ history }) => {
      for (const { before } of history.slice(1)) {
        expect(before.executorId !== null).toBe(before.status === 'RUNNING');
        if (isTerminal(before.status)) expect(before.previousExecutorId).toBeNull();
      }
    });
  });
});
