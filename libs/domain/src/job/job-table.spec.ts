import type { DomainErrorCode } from '../shared/domain-error';
import type { JobCommand, JobCommandType } from './commands';
import { decideJob } from './decide';
import type { JobEventType } from './events';
import { foldJob } from './evolve';
import { JOB_STATUSES, type JobStatus } from './state';
import { errorCodeOf, run, submit, testContext, T0 } from './job.test-helper';

type Row = JobStatus | 'NOT_FOUND' | 'DELETED';
type Expected = DomainErrorCode | { emits: JobEventType[]; then: JobStatus };

/** One valid-looking instance of every command, issued by executor e1 (the owner where there is one). */
const commands: { [K in JobCommandType]: Extract<JobCommand, { type: K }> } = {
  submit: submit() as Extract<JobCommand, { type: 'submit' }>,
  grantLock: { type: 'grantLock' },
  start: { type: 'start', executorId: 'e1' },
  progress: { type: 'progress', executorId: 'e1', percent: 50, message: 'half way' },
  completeStep: { type: 'completeStep', executorId: 'e1', name: 'download', result: { bytes: 1 } },
  complete: { type: 'complete', executorId: 'e1', output: 'done' },
  fail: { type: 'fail', executorId: 'e1', message: 'boom' },
  requestCancel: { type: 'requestCancel', reason: 'user asked' },
  confirmCancel: { type: 'confirmCancel', executorId: 'e1', abandoned: false },
  timeOut: { type: 'timeOut', executorId: 'e1' },
  resume: { type: 'resume', executorId: 'e1' },
  retry: { type: 'retry' },
  markOrphaned: { type: 'markOrphaned', thresholdMs: 60_000 },
  delete: { type: 'delete' },
};

const fixtures: Record<Row, JobCommand[]> = {
  NOT_FOUND: [],
  QUEUED: [submit()],
  WAITING_FOR_LOCK: [submit({ locks: [{ resource: 'db', mode: 'EXCLUSIVE' }] })],
  RUNNING: [submit(), commands.start],
  COMPLETED: [submit(), commands.start, commands.complete],
  FAILED: [submit(), commands.start, commands.fail],
  CANCELLED: [submit(), commands.requestCancel],
  TIMED_OUT: [submit(), commands.start, commands.timeOut],
  DELETED: [submit(), commands.start, commands.complete, commands.delete],
};

const ILL = 'ILLEGAL_TRANSITION';
const all = (code: DomainErrorCode): Record<Exclude<JobCommandType, 'submit'>, Expected> => ({
  grantLock: code,
  start: code,
  progress: code,
  completeStep: code,
  complete: code,
  fail: code,
  requestCancel: code,
  confirmCancel: code,
  timeOut: code,
  resume: code,
  retry: code,
  markOrphaned: code,
  delete: code,
});

const table: Record<Row, Record<JobCommandType, Expected>> = {
  NOT_FOUND: { ...all('NOT_FOUND'), submit: { emits: ['job.submitted'], then: 'QUEUED' } },
  DELETED: { ...all('NOT_FOUND'), submit: 'ALREADY_EXISTS' },
  QUEUED: {
    ...all(ILL),
    submit: 'ALREADY_EXISTS',
    start: { emits: ['job.started'], then: 'RUNNING' },
    requestCancel: { emits: ['job.cancel-requested', 'job.cancelled'], then: 'CANCELLED' },
  },
  WAITING_FOR_LOCK: {
    ...all(ILL),
    submit: 'ALREADY_EXISTS',
    grantLock: { emits: ['job.lock-granted'], then: 'QUEUED' },
    requestCancel: { emits: ['job.cancel-requested', 'job.cancelled'], then: 'CANCELLED' },
  },
  RUNNING: {
    ...all(ILL),
    submit: 'ALREADY_EXISTS',
    progress: { emits: ['job.progressed'], then: 'RUNNING' },
    completeStep: { emits: ['job.step-completed'], then: 'RUNNING' },
    complete: { emits: ['job.completed'], then: 'COMPLETED' },
    fail: { emits: ['job.failed'], then: 'FAILED' },
    requestCancel: { emits: ['job.cancel-requested'], then: 'RUNNING' },
    timeOut: { emits: ['job.timed-out'], then: 'TIMED_OUT' },
    markOrphaned: { emits: ['job.orphaned'], then: 'QUEUED' },
  },
  COMPLETED: { ...all(ILL), submit: 'ALREADY_EXISTS', delete: { emits: ['job.deleted'], then: 'COMPLETED' } },
  FAILED: {
    ...all(ILL),
    submit: 'ALREADY_EXISTS',
    retry: { emits: ['job.retried'], then: 'QUEUED' },
    delete: { emits: ['job.deleted'], then: 'FAILED' },
  },
  CANCELLED: {
    ...all(ILL),
    submit: 'ALREADY_EXISTS',
    retry: { emits: ['job.retried'], then: 'QUEUED' },
    delete: { emits: ['job.deleted'], then: 'CANCELLED' },
  },
  TIMED_OUT: {
    ...all(ILL),
    submit: 'ALREADY_EXISTS',
    start: { emits: ['job.started'], then: 'RUNNING' },
    // e1 is not the watcher, and nobody owns a timed-out job.
    fail: 'NOT_OWNER',
    requestCancel: { emits: ['job.cancel-requested', 'job.cancelled'], then: 'CANCELLED' },
    resume: { emits: ['job.resumed'], then: 'RUNNING' },
    retry: { emits: ['job.retried'], then: 'QUEUED' },
  },
};

const rows = Object.keys(table) as Row[];
const cases = rows.flatMap((row) =>
  (Object.keys(commands) as JobCommandType[]).map((command) => [row, command, table[row][command]] as const),
);

describe('job decider: every command in every status', () => {
  it('covers all statuses plus not-found and deleted, and every command', () => {
    expect([...rows].sort()).toEqual([...JOB_STATUSES, 'NOT_FOUND', 'DELETED'].sort());
    expect(cases).toHaveLength(9 * 14);
  });

  it.each(cases)('%s + %s', (row, commandType, expected) => {
    const { state } = run(fixtures[row], testContext(T0));
    expect(state.status).toBe(row === 'NOT_FOUND' ? null : row === 'DELETED' ? 'COMPLETED' : row);
    const ctx = testContext(new Date(T0.getTime() + 3_600_000));
    const command = commands[commandType];
    if (typeof expected === 'string') {
      expect(errorCodeOf(() => decideJob(command, state, ctx))).toBe(expected);
      return;
    }
    const events = decideJob(command, state, ctx);
    expect(events.map((e) => e.type)).toEqual(expected.emits);
    expect(foldJob(events, state).status).toBe(expected.then);
  });
});
