import { decideJobDefinition, type EventContext, type JobDefinitionCommand, type JobDefinitionEvent } from '@jobstream/domain';
import { evolveScheduleView, initialScheduleView, scheduleTimerId, type ScheduleView } from './schedule-view';

const ctx = (now: string): EventContext => {
  let n = 0;
  return { tenant: 'acme', now: new Date(now), newId: () => `id-${now}-${++n}`, actor: 'user:test', correlationId: 'c', causationId: null };
};
const run = (view: ScheduleView, command: JobDefinitionCommand, now = '2025-03-01T10:00:00Z'): ScheduleView =>
  decideJobDefinition(command, view.definition, ctx(now)).reduce((v, e) => evolveScheduleView(v, e as JobDefinitionEvent), view);
const spec = { name: 'n', description: '', jobType: 'noop', configuration: {}, schedule: { kind: 'interval' as const, everyMs: 60_000 }, enabled: true };

describe('schedule view', () => {
  it('starts a generation at each schedule change and ties the planned run to its timer', () => {
    let view = run(initialScheduleView, { type: 'create', definitionId: 'd1', ...spec });
    expect(view).toMatchObject({ generation: 0, since: '2025-03-01T10:00:00.000Z', planned: null });
    view = run(view, { type: 'planNextRun', at: '2025-03-01T10:01:00.000Z' });
    expect(view.planned).toEqual({ generation: 0, timerId: scheduleTimerId('d1', 0, '2025-03-01T10:01:00.000Z') });
    view = run(view, { type: 'start', trigger: 'schedule' });
    expect(view.generation).toBe(0);
    view = run(view, { type: 'disable' }, '2025-03-01T10:00:30Z');
    expect(view).toMatchObject({ generation: 3, since: '2025-03-01T10:00:30.000Z', planned: { generation: 0 } });
  });

  it('an edit made during a run takes effect, as a new generation, when the run ends', () => {
    let view = run(initialScheduleView, { type: 'create', definitionId: 'd1', ...spec });
    view = run(view, { type: 'start' });
    const jobId = view.definition.currentJobId as string;
    view = run(view, { type: 'update', ...spec, schedule: { kind: 'interval', everyMs: 5_000 } });
    expect(view.generation).toBe(2);
    expect(view.definition.schedule).toEqual({ kind: 'interval', everyMs: 60_000 });
    view = run(view, { type: 'recordRunFinished', jobId, result: 'COMPLETED' }, '2025-03-01T10:05:00Z');
    expect(view).toMatchObject({ generation: 3, since: '2025-03-01T10:05:00.000Z', definition: { schedule: { everyMs: 5_000 } } });
    // A run's end without a pending edit changes nothing.
    view = run(view, { type: 'start' });
    view = run(view, { type: 'recordRunFinished', jobId: view.definition.currentJobId as string, result: 'FAILED' });
    expect(view.generation).toBe(3);
  });

  it('timer ids are stream tokens, hashed when the definition id is not one', () => {
    expect(scheduleTimerId('a.b c', 2, '2025-03-01T10:00:00Z')).toMatch(/^jobdef_[0-9a-f]{32}_2_1740823200000$/);
  });
});
