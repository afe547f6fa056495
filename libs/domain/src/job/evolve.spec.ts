import { JOB_EVENT_TYPES } from './events';
import { evolveJob, foldJob } from './evolve';
import { initialJobState, isTerminal, JOB_STATUSES } from './state';
import { run, submit, testContext } from './job.test-helper';

describe('evolveJob', () => {
  it('starts from a state that does not exist', () => {
    expect(foldJob([])).toBe(initialJobState);
    expect(initialJobState).toMatchObject({ exists: false, status: null, attempt: 1, version: 0 });
  });

  it('lists every status and every event type once', () => {
    expect(new Set(JOB_STATUSES).size).toBe(7);
    expect(new Set(JOB_EVENT_TYPES).size).toBe(15);
  });

  it('treats only COMPLETED, FAILED and CANCELLED as terminal', () => {
    expect(JOB_STATUSES.filter(isTerminal)).toEqual(['COMPLETED', 'FAILED', 'CANCELLED']);
    expect(isTerminal(null)).toBe(false);
  });

  it('stamps submission, start, end and last update times from the events', () => {
    const ctx = testContext();
    const submitted = run([submit()], ctx);
    ctx.advance(1_000);
    const started = run([{ type: 'start', executorId: 'e1' }], ctx, submitted.state);
    ctx.advance(1_000);
    const { state } = run([{ type: 'complete', executorId: 'e1' }], ctx, started.state);
    expect(state).toMatchObject({
      tenant: 'acme',
      submittedAt: '2026-03-01T10:00:00.000Z',
      startedAt: '2026-03-01T10:00:01.000Z',
      endedAt: '2026-03-01T10:00:02.000Z',
      updatedAt: '2026-03-01T10:00:02.000Z',
      version: 3,
    });
  });

  it('marks a deleted job without forgetting how it ended', () => {
    const { state } = run([submit(), { type: 'requestCancel' }, { type: 'delete' }]);
    expect(state).toMatchObject({ deleted: true, exists: true, status: 'CANCELLED' });
  });

  it('is pure: the previous state is left untouched', () => {
    const { state, events } = run([submit(), { type: 'start', executorId: 'e1' }]);
    const before = structuredClone(state);
    evolveJob(state, { ...events[1], type: 'job.step-completed', data: { executorId: 'e1', name: 's', result: 1 } });
    expect(state).toEqual(before);
  });
});
