import type { DomainErrorCode } from '../shared/domain-error';
import type { JobDefinitionCommandType } from './commands';
import { decideJobDefinition } from './decide';
import type { JobDefinitionEventType } from './events';
import { foldJobDefinition } from './evolve';
import { JOB_DEFINITION_STATUSES, type JobDefinitionStatus } from './state';
import { create, errorCodeOf, finished, runDefinition, spec, started, testContext, type Step } from './job-definition.test-helper';

type Row = JobDefinitionStatus | 'NOT_FOUND' | 'DELETED';
type Expected = DomainErrorCode | { emits: JobDefinitionEventType; then: JobDefinitionStatus };

const commands: Record<JobDefinitionCommandType, Step> = {
  create: create(),
  update: { type: 'update', ...spec({ description: 'changed' }) },
  delete: { type: 'delete' },
  enable: { type: 'enable' },
  disable: { type: 'disable' },
  start: { type: 'start' },
  stop: { type: 'stop' },
  recordRunStarted: started('host-b'),
  recordRunFinished: finished,
  suspend: { type: 'suspend', reason: 'redundancy: another host runs it' },
  planNextRun: { type: 'planNextRun', at: '2026-03-01T11:00:00.000Z' },
};

const fixtures: Record<Row, Step[]> = {
  NOT_FOUND: [],
  DELETED: [create(), { type: 'delete' }],
  Disabled: [create({ enabled: false })],
  Ready: [create()],
  Queued: [create(), { type: 'start' }],
  Running: [create(), { type: 'start' }, started('host-a')],
  RecyclePending: [create(), { type: 'start' }, started('host-a'), commands.update],
  Suspended: [create(), commands.suspend],
  // A run nobody requested, observed on host-c.
  Unknown: [create(), started('host-c')],
};

const ILL = 'ILLEGAL_TRANSITION';
const ok = (emits: JobDefinitionEventType, then: JobDefinitionStatus): Expected => ({ emits, then });
const all = (code: DomainErrorCode): Record<Exclude<JobDefinitionCommandType, 'create'>, Expected> => ({
  update: code,
  delete: code,
  enable: code,
  disable: code,
  start: code,
  stop: code,
  recordRunStarted: code,
  recordRunFinished: code,
  suspend: code,
  planNextRun: code,
});

const table: Record<Row, Record<JobDefinitionCommandType, Expected>> = {
  NOT_FOUND: { ...all('NOT_FOUND'), create: ok('job-definition.created', 'Ready') },
  DELETED: { ...all('NOT_FOUND'), create: 'ALREADY_EXISTS' },
  Disabled: {
    ...all(ILL),
    create: 'ALREADY_EXISTS',
    // The edit carries enabled: true, which applies at once.
    update: ok('job-definition.updated', 'Ready'),
    delete: ok('job-definition.deleted', 'Disabled'),
    enable: ok('job-definition.enabled', 'Ready'),
    recordRunStarted: ok('job-definition.run-started', 'Unknown'),
  },
  Ready: {
    ...all(ILL),
    create: 'ALREADY_EXISTS',
    update: ok('job-definition.updated', 'Ready'),
    delete: ok('job-definition.deleted', 'Ready'),
    disable: ok('job-definition.disabled', 'Disabled'),
    start: ok('job-definition.run-requested', 'Queued'),
    recordRunStarted: ok('job-definition.run-started', 'Unknown'),
    suspend: ok('job-definition.suspended', 'Suspended'),
    planNextRun: ok('job-definition.next-run-planned', 'Ready'),
  },
  Queued: {
    ...all(ILL),
    create: 'ALREADY_EXISTS',
    update: ok('job-definition.updated', 'RecyclePending'),
    disable: ok('job-definition.disabled', 'Queued'),
    stop: ok('job-definition.stop-requested', 'Queued'),
    recordRunStarted: ok('job-definition.run-started', 'Running'),
    recordRunFinished: ok('job-definition.run-finished', 'Ready'),
    planNextRun: ok('job-definition.next-run-planned', 'Queued'),
  },
  Running: {
    ...all(ILL),
    create: 'ALREADY_EXISTS',
    update: ok('job-definition.updated', 'RecyclePending'),
    disable: ok('job-definition.disabled', 'Running'),
    stop: ok('job-definition.stop-requested', 'Running'),
    // host-b takes over the run host-a started.
    recordRunStarted: ok('job-definition.run-started', 'Running'),
    recordRunFinished: ok('job-definition.run-finished', 'Ready'),
    planNextRun: ok('job-definition.next-run-planned', 'Running'),
  },
  RecyclePending: {
    ...all(ILL),
    create: 'ALREADY_EXISTS',
    update: ok('job-definition.updated', 'RecyclePending'),
    disable: ok('job-definition.disabled', 'RecyclePending'),
    stop: ok('job-definition.stop-requested', 'RecyclePending'),
    recordRunStarted: ok('job-definition.run-started', 'RecyclePending'),
    recordRunFinished: ok('job-definition.run-finished', 'Ready'),
    planNextRun: ok('job-definition.next-run-planned', 'RecyclePending'),
  },
  Suspended: {
    ...all(ILL),
    create: 'ALREADY_EXISTS',
    update: ok('job-definition.updated', 'Suspended'),
    delete: ok('job-definition.deleted', 'Suspended'),
    enable: ok('job-definition.enabled', 'Ready'),
    disable: ok('job-definition.disabled', 'Disabled'),
    recordRunStarted: ok('job-definition.run-started', 'Unknown'),
  },
  Unknown: {
    ...all(ILL),
    create: 'ALREADY_EXISTS',
    update: ok('job-definition.updated', 'Unknown'),
    // Losing track must not make a definition impossible to remove.
    delete: ok('job-definition.deleted', 'Unknown'),
    disable: ok('job-definition.disabled', 'Unknown'),
    stop: ok('job-definition.stop-requested', 'Unknown'),
    recordRunStarted: ok('job-definition.run-started', 'Unknown'),
    recordRunFinished: ok('job-definition.run-finished', 'Ready'),
    planNextRun: ok('job-definition.next-run-planned', 'Unknown'),
  },
};

const rows = Object.keys(table) as Row[];
const cases = rows.flatMap((row) =>
  (Object.keys(commands) as JobDefinitionCommandType[]).map((command) => [row, command, table[row][command]] as const),
);

describe('job definition decider: every command in every status', () => {
  it('covers all statuses plus not-found and deleted, and every command', () => {
    expect([...rows].sort()).toEqual([...JOB_DEFINITION_STATUSES, 'NOT_FOUND', 'DELETED'].sort());
    expect(cases).toHaveLength(9 * 11);
  });

  it.each(cases)('%s + %s', (row, commandType, expected) => {
    const { state } = runDefinition(fixtures[row]);
    expect(state.status).toBe(row === 'NOT_FOUND' ? null : row === 'DELETED' ? 'Ready' : row);
    const step = commands[commandType];
    const command = typeof step === 'function' ? step(state) : step;
    const ctx = testContext();
    if (typeof expected === 'string') {
      expect(errorCodeOf(() => decideJobDefinition(command, state, ctx))).toBe(expected);
      return;
    }
    const events = decideJobDefinition(command, state, ctx);
    expect(events.map((e) => e.type)).toEqual([expected.emits]);
    expect(foldJobDefinition(events, state).status).toBe(expected.then);
  });
});
