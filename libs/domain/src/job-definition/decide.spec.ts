import type { JobDefinitionCommand, JobDefinitionInput } from './commands';
import { decideJobDefinition } from './decide';
import { JOB_DEFINITION_EVENT_TYPES } from './events';
import { foldJobDefinition } from './evolve';
import { initialJobDefinitionState } from './state';
import { create, errorCodeOf, finished, runDefinition, spec, started, testContext, T0 } from './job-definition.test-helper';

const at = (ms: number) => new Date(T0.getTime() + ms).toISOString();
const update = (extra: Partial<JobDefinitionInput> = {}): JobDefinitionCommand => ({ type: 'update', ...spec(extra) });

describe('decideJobDefinition: creation and edits', () => {
  it('creates a definition on its own stream, Disabled unless enabled', () => {
    const { events, state } = runDefinition([create({ enabled: false, retry: undefined })]);
    expect(events[0]).toMatchObject({
      type: 'job-definition.created',
      streamId: 'acme.job-definition.d1',
      data: { definitionId: 'd1', name: 'email_sending', type: 'email-sender', enabled: false },
    });
    expect(events[0].data).not.toHaveProperty('retry');
    expect(state).toMatchObject({ status: 'Disabled', tenant: 'acme', createdAt: T0.toISOString(), version: 1 });
  });

  it.each<[string, Partial<JobDefinitionInput>]>([
    ['a blank name', { name: '  ' }],
    ['no job type', { jobType: '' }],
    ['a cron expression with 3 fields', { schedule: { kind: 'cron', expression: '* * *', timeZone: 'UTC' } }],
    ['an unknown time zone', { schedule: { kind: 'cron', expression: '*/5 * * * *', timeZone: 'Mars/Olympus' } }],
    ['a zero interval', { schedule: { kind: 'interval', everyMs: 0 } }],
    ['a one-off date that is not ISO', { schedule: { kind: 'once', at: 'tomorrow' } }],
    ['an unknown schedule kind', { schedule: { kind: 'weekly' } as never }],
    ['a retry policy without attempts', { retry: { maxAttempts: 0, backoff: { kind: 'fixed', initialMs: 0, maxMs: 0 }, jitter: false, nonRetryableErrors: [] } }],
    ['a non-boolean enabled', { enabled: 'yes' as never }],
  ])('rejects %s', (_, extra) => {
    expect(errorCodeOf(() => runDefinition([create(extra)]))).toBe('INVALID_ARGUMENT');
    expect(errorCodeOf(() => runDefinition([create(), update(extra)]))).toBe('INVALID_ARGUMENT');
  });

  it('accepts cron, interval, one-off and no schedule', () => {
    for (const schedule of [
      { kind: 'cron' as const, expression: '0 3 * * 1-5', timeZone: 'Europe/Paris' },
      { kind: 'interval' as const, everyMs: 1_000 },
      { kind: 'once' as const, at: at(60_000) },
      null,
    ]) {
      expect(runDefinition([create({ schedule })]).state.schedule).toEqual(schedule);
    }
  });

  it('applies an edit at once when nothing runs', () => {
    const { state } = runDefinition([create(), update({ description: 'v2', configuration: { smtp: 'b' } })]);
    expect(state).toMatchObject({ status: 'Ready', description: 'v2', configuration: { smtp: 'b' }, pendingChange: null });
  });
});

describe('job definition folds: runs', () => {
  it('runs by hand: requested with a fresh job id, started on a host, finished', () => {
    const ctx = testContext();
    const queued = runDefinition([create(), { type: 'start' }], ctx);
    const requested = queued.events[1];
    expect(requested.data).toEqual({ jobId: 'id-2', trigger: 'manual' });
    expect(requested.eventId).toBe('id-3');
    ctx.advance(1_000);
    const running = runDefinition([started('host-a')], ctx, queued.state);
    expect(running.state).toMatchObject({ status: 'Running', activeOnHost: 'host-a', currentJobId: 'id-2', lastRunTime: at(1_000) });
    ctx.advance(1_000);
    const done = runDefinition([{ type: 'recordRunFinished', jobId: 'id-2', result: 'FAILED' }], ctx, running.state);
    expect(done.state).toMatchObject({
      status: 'Ready',
      activeOnHost: null,
      currentJobId: null,
      lastRunResult: 'FAILED',
      lastRunTime: at(1_000),
    });
  });

  it('records the scheduler as the trigger', () => {
    const { events } = runDefinition([create(), { type: 'start', trigger: 'schedule' }]);
    expect(events[1].data).toMatchObject({ trigger: 'schedule' });
  });

  it('keeps an edit made during a run pending (RecyclePending) and applies it when the run ends', () => {
    const { state } = runDefinition([create(), { type: 'start' }, started('host-a'), update({ description: 'v2' })]);
    expect(state).toMatchObject({ status: 'RecyclePending', description: 'Email Sender', pendingChange: { description: 'v2' } });
    const after = runDefinition([finished], testContext(), state).state;
    expect(after).toMatchObject({ status: 'Ready', description: 'v2', pendingChange: null, lastRunResult: 'COMPLETED' });
  });

  it('keeps the last of several pending edits', () => {
    const { state } = runDefinition([create(), { type: 'start' }, update({ name: 'a' }), update({ name: 'b' }), finished]);
    expect(state.name).toBe('b');
  });

  it('shows a disabled definition as running until its run ends, then Disabled', () => {
    const planned = runDefinition([create(), { type: 'planNextRun', at: at(60_000) }, { type: 'start' }, started('host-a')]);
    expect(planned.state.nextRunTime).toBe(at(60_000));
    const { state } = runDefinition([{ type: 'disable' }], testContext(), planned.state);
    expect(state).toMatchObject({ status: 'Running', nextRunTime: null });
    expect(runDefinition([finished], testContext(), state).state.status).toBe('Disabled');
  });

  it('disables at once an edit that turns enabled off, even during a run', () => {
    const { state } = runDefinition([create(), { type: 'start' }, update({ enabled: false }), finished]);
    expect(state).toMatchObject({ status: 'Disabled', enabled: false });
  });

  it('stamps the end time as lastRunTime for a run that never started', () => {
    const ctx = testContext();
    const queued = runDefinition([create(), { type: 'start' }], ctx);
    ctx.advance(5_000);
    const { state } = runDefinition([{ type: 'stop' }, { type: 'recordRunFinished', jobId: 'id-2', result: 'CANCELLED' }], ctx, queued.state);
    expect(state).toMatchObject({ status: 'Ready', lastRunResult: 'CANCELLED', lastRunTime: at(5_000), stopRequested: false });
  });

  it('keeps lastRunTime through a takeover by another host', () => {
    const ctx = testContext();
    const running = runDefinition([create(), { type: 'start' }, started('host-a')], ctx);
    ctx.advance(30_000);
    const { state } = runDefinition([started('host-b')], ctx, running.state);
    expect(state).toMatchObject({ status: 'Running', activeOnHost: 'host-b', lastRunTime: T0.toISOString() });
  });

  it('becomes Unknown when a run it did not request starts, and recovers when that run ends', () => {
    const running = runDefinition([create(), { type: 'start' }, started('host-a')]);
    const stray = runDefinition([{ type: 'recordRunStarted', jobId: 'other', executorId: 'host-b' }], testContext(), running.state);
    expect(stray.state).toMatchObject({ status: 'Unknown', currentJobId: 'other', activeOnHost: 'host-b' });
    const ctx = testContext();
    expect(errorCodeOf(() => decideJobDefinition({ type: 'recordRunFinished', jobId: 'id-2', result: 'COMPLETED' }, stray.state, ctx))).toBe(
      'ILLEGAL_TRANSITION',
    );
    const { state } = runDefinition([{ type: 'recordRunFinished', jobId: 'other', result: 'TIMED_OUT' }], ctx, stray.state);
    expect(state).toMatchObject({ status: 'Ready', lastRunResult: 'TIMED_OUT', lostTrack: false });
  });

  it('suspends for redundancy and resumes with enable', () => {
    const { state } = runDefinition([create(), { type: 'planNextRun', at: at(1_000) }, { type: 'suspend', reason: 'host-b owns it' }]);
    expect(state).toMatchObject({ status: 'Suspended', suspendedReason: 'host-b owns it', nextRunTime: null });
    expect(runDefinition([{ type: 'enable' }], testContext(), state).state).toMatchObject({ status: 'Ready', suspended: false });
  });
});

describe('decideJobDefinition: refusals', () => {
  const ctx = testContext();
  const decide = (steps: Parameters<typeof runDefinition>[0], command: JobDefinitionCommand) =>
    errorCodeOf(() => decideJobDefinition(command, runDefinition(steps).state, ctx));

  it('refuses a second stop and a duplicate start record', () => {
    expect(decide([create(), { type: 'start' }, { type: 'stop' }], { type: 'stop' })).toBe('ILLEGAL_TRANSITION');
    expect(decide([create(), { type: 'start' }, started('host-a')], { type: 'recordRunStarted', jobId: 'id-2', executorId: 'host-a' })).toBe(
      'ILLEGAL_TRANSITION',
    );
  });

  it('checks arguments', () => {
    const queued = [create(), { type: 'start' } as const];
    expect(decide(queued, { type: 'recordRunFinished', jobId: 'id-2', result: 'DONE' as never })).toBe('INVALID_ARGUMENT');
    expect(decide(queued, { type: 'recordRunStarted', jobId: '', executorId: 'h' })).toBe('INVALID_ARGUMENT');
    expect(decide([create()], { type: 'start', trigger: 'cron' as never })).toBe('INVALID_ARGUMENT');
    expect(decide([create()], { type: 'suspend', reason: '' })).toBe('INVALID_ARGUMENT');
    expect(decide([create()], { type: 'planNextRun', at: 'soon' })).toBe('INVALID_ARGUMENT');
    expect(decide([create({ definitionId: '' } as never)], { type: 'delete' })).toBe('INVALID_ARGUMENT');
  });

  it('plans runs only for a definition with a schedule, but may always clear the plan', () => {
    expect(decide([create({ schedule: null })], { type: 'planNextRun', at: at(1) })).toBe('ILLEGAL_TRANSITION');
    expect(runDefinition([create({ schedule: null }), { type: 'planNextRun', at: null }]).state.nextRunTime).toBeNull();
  });
});

describe('evolveJobDefinition', () => {
  it('starts from nothing and lists eleven event types', () => {
    expect(foldJobDefinition([])).toBe(initialJobDefinitionState);
    expect(new Set(JOB_DEFINITION_EVENT_TYPES).size).toBe(11);
  });

  it('counts events in version and marks deletion without losing the last status', () => {
    const { state, events } = runDefinition([create(), { type: 'disable' }, { type: 'enable' }, { type: 'delete' }]);
    expect(state).toMatchObject({ version: events.length, deleted: true, status: 'Ready' });
    expect(events.every((e) => e.streamId === 'acme.job-definition.d1' && e.tenant === 'acme')).toBe(true);
  });
});
