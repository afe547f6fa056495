import { DomainError } from '../../shared/domain-error';
import { applyDefinition, definitionOf, definitionState, fixedContext, RunHarness, task } from '../orchestration.test-helper';
import { initialOrchestrationDefinitionState } from '../definition/state';
import { decideOrchestrationRun } from './decide';
import { nextStep } from './next-step';
import { toReport } from './report';
import { initialOrchestrationRunState } from './state';

const T0 = '2025-06-01T01:00:00Z';
const at = (hhmm: string, day = '2025-06-01') => `${day}T${hhmm}:00Z`;

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError');
}

const statuses = (run: RunHarness) => toReport(run.state).tasks.map((task) => task.status);

describe('orchestration run', () => {
  describe('starting', () => {
    it('records the definition snapshot and launches the first task at once', () => {
      const definition = definitionOf([task('a'), task('b')]);
      const run = new RunHarness(definition);
      const events = run.start(T0);
      expect(run.types(events)).toEqual(['orchestration-run.started', 'orchestration-run.task-launched']);
      expect(events[0].streamId).toBe('acme.orchestration-run.run-1');
      expect(events[0].data).toEqual({ runId: 'run-1', definitionId: 'nightly', definition, startedAt: '2025-06-01T01:00:00.000Z' });
      expect(events[1].data).toEqual({ index: 0, taskId: 'a', jobId: run.state.tasks[0].jobId });
      expect(run.state.tasks[0].jobId).toEqual(expect.any(String));
    });

    it('refuses an unknown or deleted definition (NOT_FOUND)', () => {
      const ctx = fixedContext(T0);
      const deleted = applyDefinition(definitionState(definitionOf([task('a')])), { type: 'delete', id: 'nightly' }).state;
      for (const definition of [initialOrchestrationDefinitionState, deleted]) {
        expect(codeOf(() => decideOrchestrationRun({ type: 'start', runId: 'r', definition }, initialOrchestrationRunState, ctx))).toBe('NOT_FOUND');
      }
    });

    it('refuses an inactive definition', () => {
      const run = new RunHarness(definitionOf([task('a')], { active: false }));
      expect(codeOf(() => run.start(T0))).toBe('ILLEGAL_TRANSITION');
    });

    it('refuses to start the same instance twice (ALREADY_EXISTS)', () => {
      const run = new RunHarness(definitionOf([task('a')]));
      run.start(T0);
      expect(codeOf(() => run.start(T0))).toBe('ALREADY_EXISTS');
    });

    it('keeps its snapshot when the definition is updated during the run', () => {
      const definition = definitionOf([task('a'), task('b')]);
      const run = new RunHarness(definition);
      run.start(T0);
      const updated = applyDefinition(definitionState(definition), {
        type: 'update',
        id: 'nightly',
        definition: definitionOf([task('x')]),
      }).state;
      expect(updated.definition?.orchestratedTasks).toEqual([task('x')]);
      run.finish(at('01:10'), 'SUCCESS');
      expect(toReport(run.state).tasks.map((row) => row.taskId)).toEqual(['a', 'b']);
      expect(run.state.tasks[1].status).toBe('RUNNING');
    });
  });

  describe('sequencing and conditions', () => {
    it('runs tasks strictly one after another: nothing advances while a task runs', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b')]));
      run.start(T0);
      expect(nextStep(run.state, new Date(at('01:30')))).toEqual({ kind: 'await-task', index: 0, jobId: run.state.tasks[0].jobId });
      expect(codeOf(() => run.send({ type: 'advance' }, at('01:30')))).toBe('ILLEGAL_TRANSITION');
      expect(statuses(run)).toEqual(['RUNNING', 'NOT_STARTED']);
      expect(run.types(run.finish(at('01:40'), 'SUCCESS'))).toEqual(['orchestration-run.task-finished', 'orchestration-run.task-launched']);
      expect(statuses(run)).toEqual(['SUCCESS', 'RUNNING']);
    });

    it('after SUCCESS the next task runs', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b', { taskExecutionCondition: { executeOnParentTaskFailure: false } })]));
      run.start(T0);
      run.finish(at('01:10'), 'SUCCESS');
      expect(run.state.tasks[1].status).toBe('RUNNING');
    });

    it('after PARTIAL the next task runs, even when 99% of the objects failed', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b', { taskExecutionCondition: { executeOnParentTaskFailure: false } })]));
      run.start(T0);
      run.finish(at('01:10'), 'PARTIAL', { processed: 100, succeeded: 1, failed: 99 });
      expect(run.state.tasks[1].status).toBe('RUNNING');
    });

    it('after FAILED the next task runs when its executeOnParentTaskFailure is true', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b', { taskExecutionCondition: { executeOnParentTaskFailure: true } })]));
      run.start(T0);
      run.finish(at('01:10'), 'FAILED');
      expect(run.state.tasks[1].status).toBe('RUNNING');
    });

    it('after FAILED a task without taskExecutionCondition always runs', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b')]));
      run.start(T0);
      run.finish(at('01:10'), 'FAILED');
      expect(run.state.tasks[1].status).toBe('RUNNING');
    });

    it('after FAILED the chain stops when executeOnParentTaskFailure is false: every remaining task is skipped', () => {
      const run = new RunHarness(
        definitionOf([
          task('a'),
          task('b', { taskExecutionCondition: { executeOnParentTaskFailure: false } }),
          task('c', { taskExecutionCondition: { executeOnParentTaskFailure: true } }),
        ]),
      );
      run.start(T0);
      const events = run.finish(at('01:10'), 'FAILED');
      expect(events.map((event) => [event.type, event.data])).toEqual([
        ['orchestration-run.task-finished', { index: 0, outcome: 'FAILED', objects: { processed: 10, succeeded: 10, failed: 0 } }],
        ['orchestration-run.task-skipped', { index: 1, reason: 'parent-failure' }],
        ['orchestration-run.task-skipped', { index: 2, reason: 'parent-failure' }],
        ['orchestration-run.finished', { status: 'FAILED' }],
      ]);
    });

    it('a condition without executeOnParentTaskFailure means false', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b', { taskExecutionCondition: {} })]));
      run.start(T0);
      run.finish(at('01:10'), 'FAILED');
      expect(toReport(run.state).tasks[1]).toMatchObject({ status: 'SKIPPED', skipReason: 'parent-failure' });
    });
  });

  describe('overall status', () => {
    const finishAll = (outcomes: ('SUCCESS' | 'PARTIAL' | 'FAILED')[]) => {
      const run = new RunHarness(definitionOf(outcomes.map((_, i) => task(`t${i}`))));
      run.start(T0);
      outcomes.forEach((outcome, i) => run.finish(`2025-06-01T01:${String(10 + i).padStart(2, '0')}:00Z`, outcome));
      return run.state.status;
    };

    it('SUCCESS when every task succeeded', () => expect(finishAll(['SUCCESS', 'SUCCESS'])).toBe('SUCCESS'));
    it('PARTIAL when a task was PARTIAL', () => expect(finishAll(['PARTIAL', 'SUCCESS'])).toBe('PARTIAL'));
    it('PARTIAL when a failed task was followed by one that continued the chain', () =>
      expect(finishAll(['FAILED', 'SUCCESS'])).toBe('PARTIAL'));
    it('FAILED when the last task that ran failed', () => expect(finishAll(['SUCCESS', 'FAILED'])).toBe('FAILED'));
  });

  describe('taskStartsAfter', () => {
    it('waits until the local time, then an advance at that time launches the task', () => {
      const run = new RunHarness(definitionOf([task('a', { taskStartsAfter: '02:30' })]));
      const events = run.start(T0);
      expect(events.map((event) => [event.type, event.data]).slice(1)).toEqual([
        ['orchestration-run.task-waiting', { index: 0, until: '2025-06-01T02:30:00.000Z' }],
      ]);
      expect(statuses(run)).toEqual(['WAITING']);
      expect(codeOf(() => run.send({ type: 'advance' }, at('02:29')))).toBe('ILLEGAL_TRANSITION');
      expect(run.types(run.send({ type: 'advance' }, at('02:30')))).toEqual(['orchestration-run.task-launched']);
    });

    it('starts at once when the parent ends after that time', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b', { taskStartsAfter: '02:30' })]));
      run.start(T0);
      expect(run.types(run.finish(at('02:45'), 'SUCCESS'))).toEqual(['orchestration-run.task-finished', 'orchestration-run.task-launched']);
    });

    it('is read on the current local day: started late in the day, a passed time means at once', () => {
      const run = new RunHarness(definitionOf([task('a', { taskStartsAfter: '02:30' })]));
      expect(run.types(run.start(at('23:00')))).toEqual(['orchestration-run.started', 'orchestration-run.task-launched']);
    });

    it('waits counting from the parent end, in the task time zone', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b', { taskStartsAfter: '04:00', timeZone: 'Europe/Paris' })]));
      run.start(T0);
      const events = run.finish(at('01:10'), 'SUCCESS'); // 03:10 in Paris
      expect(events[1].data).toEqual({ index: 1, until: '2025-06-01T02:00:00.000Z' });
    });

    it('Europe/Paris: a time inside the spring-forward gap waits until the first instant after it', () => {
      const run = new RunHarness(definitionOf([task('a', { taskStartsAfter: '02:30', timeZone: 'Europe/Paris' })]));
      expect(run.start('2025-03-29T23:30:00Z').at(-1)?.data).toEqual({ index: 0, until: '2025-03-30T01:00:00.000Z' });
    });

    it('America/New_York: a time inside the fall-back overlap waits for its first occurrence', () => {
      const run = new RunHarness(definitionOf([task('a', { taskStartsAfter: '01:30', timeZone: 'America/New_York' })]));
      expect(run.start('2025-11-02T04:30:00Z').at(-1)?.data).toEqual({ index: 0, until: '2025-11-02T05:30:00.000Z' });
      // Becoming eligible during the second 01:00-02:00: 01:30 has already happened once, so at once.
      const late = new RunHarness(definitionOf([task('a', { taskStartsAfter: '01:30', timeZone: 'America/New_York' })]));
      expect(late.types(late.start('2025-11-02T06:10:00Z')).at(-1)).toBe('orchestration-run.task-launched');
    });

    it('Australia/Lord_Howe: the 30-minute spring-forward gap and fall-back overlap', () => {
      const gap = new RunHarness(definitionOf([task('a', { taskStartsAfter: '02:15', timeZone: 'Australia/Lord_Howe' })]));
      expect(gap.start('2025-10-04T14:00:00Z').at(-1)?.data).toEqual({ index: 0, until: '2025-10-04T15:30:00.000Z' });
      const overlap = new RunHarness(definitionOf([task('a', { taskStartsAfter: '01:45', timeZone: 'Australia/Lord_Howe' })]));
      expect(overlap.start('2025-04-05T14:00:00Z').at(-1)?.data).toEqual({ index: 0, until: '2025-04-05T14:45:00.000Z' });
    });
  });

  describe('hard time limit', () => {
    const limited = (extra = {}) =>
      new RunHarness(definitionOf([task('a'), task('b'), task('c')], { executionTimeLimit: '03:00', ...extra }));

    it('with a 03:00 limit a task may still start at 02:59', () => {
      const run = limited();
      run.start(T0);
      expect(run.types(run.finish(at('02:59'), 'SUCCESS')).at(-1)).toBe('orchestration-run.task-launched');
    });

    it('at 03:00 the task is not launched; it and the rest are skipped with time-limit-reached', () => {
      const run = limited();
      run.start(T0);
      const events = run.finish(at('03:00'), 'SUCCESS');
      expect(events.map((event) => [event.type, event.data]).slice(1)).toEqual([
        ['orchestration-run.task-skipped', { index: 1, reason: 'time-limit-reached' }],
        ['orchestration-run.task-skipped', { index: 2, reason: 'time-limit-reached' }],
        ['orchestration-run.finished', { status: 'PARTIAL' }],
      ]);
      expect(toReport(run.state).tasks[1]).toMatchObject({ status: 'SKIPPED', skipReason: 'time-limit-reached', endedAt: '2025-06-01T03:00:00.000Z' });
    });

    it('is read in the definition time zone', () => {
      const run = limited({ timeZone: 'Europe/Paris' });
      run.start(T0); // 03:00 Paris is 01:00 UTC on this day, so the limit is 03:00 Paris tomorrow
      expect(run.state.limitAt).toBe('2025-06-02T01:00:00.000Z');
    });

    it('is the next occurrence after the start, so a nightly window crosses midnight', () => {
      const run = limited();
      run.start(at('22:00'));
      expect(run.state.limitAt).toBe('2025-06-02T03:00:00.000Z');
      expect(run.types(run.finish('2025-06-02T02:59:00Z', 'SUCCESS')).at(-1)).toBe('orchestration-run.task-launched');
    });

    it('skips at once a task whose taskStartsAfter falls at or past the limit; nothing ran, so the run FAILED', () => {
      const run = new RunHarness(definitionOf([task('a', { taskStartsAfter: '03:00' })], { executionTimeLimit: '03:00' }));
      const events = run.start(T0);
      expect(events.map((event) => [event.type, event.data]).slice(1)).toEqual([
        ['orchestration-run.task-skipped', { index: 0, reason: 'time-limit-reached' }],
        ['orchestration-run.finished', { status: 'FAILED' }],
      ]);
    });

    it('the duration variant counts from the orchestration start', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b'), task('c')], { executionDurationLimit: 'PT2H' }));
      run.start(T0);
      expect(run.state.limitAt).toBe('2025-06-01T03:00:00.000Z');
      expect(run.types(run.finish(at('02:59'), 'SUCCESS')).at(-1)).toBe('orchestration-run.task-launched');
      expect(run.finish(at('03:00'), 'SUCCESS').at(-2)?.data).toEqual({ index: 2, reason: 'time-limit-reached' });
    });
  });

  describe('cancel', () => {
    it('with a task running: cancel-requested first, cancelled once the task has finished', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b')]));
      run.start(T0);
      expect(run.types(run.send({ type: 'cancel', reason: 'operator' }, at('01:05')))).toEqual(['orchestration-run.cancel-requested']);
      expect(run.state.status).toBe('RUNNING');
      expect(run.types(run.finish(at('01:06'), 'FAILED'))).toEqual(['orchestration-run.task-finished', 'orchestration-run.cancelled']);
      expect(run.state.status).toBe('CANCELLED');
      expect(statuses(run)).toEqual(['FAILED', 'NOT_STARTED']);
    });

    it('with a task waiting: cancelled at once, the waiting task reported NOT_STARTED', () => {
      const run = new RunHarness(definitionOf([task('a', { taskStartsAfter: '04:00' })]));
      run.start(T0);
      expect(run.types(run.send({ type: 'cancel' }, at('01:05')))).toEqual([
        'orchestration-run.cancel-requested',
        'orchestration-run.cancelled',
      ]);
      expect(toReport(run.state)).toMatchObject({ status: 'CANCELLED', endedAt: '2025-06-01T01:05:00.000Z' });
      expect(statuses(run)).toEqual(['NOT_STARTED']);
    });

    it('refuses to cancel twice, or to cancel a finished run (409)', () => {
      const run = new RunHarness(definitionOf([task('a')]));
      run.start(T0);
      run.send({ type: 'cancel' }, at('01:05'));
      expect(codeOf(() => run.send({ type: 'cancel' }, at('01:06')))).toBe('ILLEGAL_TRANSITION');
      run.finish(at('01:07'), 'SUCCESS');
      expect(codeOf(() => run.send({ type: 'cancel' }, at('01:08')))).toBe('ILLEGAL_TRANSITION');
    });
  });

  describe('task results and instance lifecycle', () => {
    it('accepts a finish only for the running task and its job', () => {
      const run = new RunHarness(definitionOf([task('a'), task('b')]));
      run.start(T0);
      const objects = { processed: 1, succeeded: 1, failed: 0 };
      expect(codeOf(() => run.send({ type: 'taskFinished', index: 0, jobId: 'other', outcome: 'SUCCESS', objects }, at('01:10')))).toBe(
        'ILLEGAL_TRANSITION',
      );
      expect(codeOf(() => run.send({ type: 'taskFinished', index: 1, jobId: 'x', outcome: 'SUCCESS', objects }, at('01:10')))).toBe(
        'ILLEGAL_TRANSITION',
      );
      expect(codeOf(() => run.finish(at('01:10'), 'SUCCESS', { processed: -1, succeeded: 0, failed: 0 }))).toBe('INVALID_ARGUMENT');
    });

    it('deletes a finished instance and its report; refuses to delete a running one', () => {
      const run = new RunHarness(definitionOf([task('a')]));
      run.start(T0);
      expect(codeOf(() => run.send({ type: 'delete' }, at('01:05')))).toBe('ILLEGAL_TRANSITION');
      run.finish(at('01:10'), 'SUCCESS');
      expect(run.types(run.send({ type: 'delete' }, at('01:20')))).toEqual(['orchestration-run.deleted']);
      expect(codeOf(() => toReport(run.state))).toBe('NOT_FOUND');
      expect(codeOf(() => run.send({ type: 'cancel' }, at('01:21')))).toBe('NOT_FOUND');
    });

    it('answers NOT_FOUND for an unknown instance', () => {
      expect(codeOf(() => decideOrchestrationRun({ type: 'cancel' }, initialOrchestrationRunState, fixedContext(T0)))).toBe('NOT_FOUND');
    });
  });

  it('reports per task: status, skip reason, start, end and object counts', () => {
    const run = new RunHarness(
      definitionOf([task('a'), task('b', { taskType: 'EXPORT' }), task('c', { taskExecutionCondition: { executeOnParentTaskFailure: false } })]),
    );
    run.start(T0);
    run.finish(at('01:10'), 'PARTIAL', { processed: 100, succeeded: 60, failed: 40 });
    run.finish(at('01:20'), 'FAILED', { processed: 0, succeeded: 0, failed: 0 });
    const [jobA, jobB] = run.state.tasks.map((row) => row.jobId);
    expect(toReport(run.state)).toEqual({
      instanceId: 'run-1',
      definitionId: 'nightly',
      status: 'FAILED',
      startedAt: '2025-06-01T01:00:00.000Z',
      endedAt: '2025-06-01T01:20:00.000Z',
      cancelRequested: false,
      timeLimit: null,
      tasks: [
        {
          index: 0,
          taskId: 'a',
          taskType: 'IMPORT',
          status: 'PARTIAL',
          skipReason: null,
          waitingUntil: null,
          jobId: jobA,
          startedAt: '2025-06-01T01:00:00.000Z',
          endedAt: '2025-06-01T01:10:00.000Z',
          objects: { processed: 100, succeeded: 60, failed: 40 },
        },
        {
          index: 1,
          taskId: 'b',
          taskType: 'EXPORT',
          status: 'FAILED',
          skipReason: null,
          waitingUntil: null,
          jobId: jobB,
          startedAt: '2025-06-01T01:10:00.000Z',
          endedAt: '2025-06-01T01:20:00.000Z',
          objects: { processed: 0, succeeded: 0, failed: 0 },
        },
        {
          index: 2,
          taskId: 'c',
          taskType: 'IMPORT',
          status: 'SKIPPED',
          skipReason: 'parent-failure',
          waitingUntil: null,
          jobId: null,
          startedAt: null,
          endedAt: '2025-06-01T01:20:00.000Z',
          objects: null,
        },
      ],
    });
  });
});
