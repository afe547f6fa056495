import { validateOrchestrationDefinition } from './validate';

const valid = {
  id: 'nightly',
  name: 'Nightly',
  orchestratedTasks: [
    { taskId: 'import-hr', taskType: 'IMPORT', taskStartsAfter: '02:30', timeZone: 'Europe/Paris' },
    { taskId: 'recon', taskType: 'RECONCILIATION', taskExecutionCondition: { executeOnParentTaskFailure: true } },
  ],
  executionTimeLimit: '06:00:00',
  timeZone: 'Europe/Paris',
  executionPlan: { scheduleType: 'CRON', cronExpression: '0 1 * * *', timeZone: 'Europe/Paris' },
};

const fieldsOf = (input: unknown) => validateOrchestrationDefinition(input).map((error) => error.field);

describe('validateOrchestrationDefinition', () => {
  it('accepts a complete definition', () => {
    expect(validateOrchestrationDefinition(valid)).toEqual([]);
  });

  it('accepts the minimal definition: id, name and one task', () => {
    expect(validateOrchestrationDefinition({ id: 'a', name: 'A', orchestratedTasks: [{ taskId: 't', taskType: 'EXPORT' }] })).toEqual([]);
  });

  it('requires id, name and orchestratedTasks', () => {
    expect(fieldsOf({})).toEqual(['id', 'name', 'orchestratedTasks']);
  });

  it('rejects an empty task list', () => {
    expect(validateOrchestrationDefinition({ ...valid, orchestratedTasks: [] })).toEqual([
      { field: 'orchestratedTasks', message: 'must contain at least one task' },
    ]);
  });

  it('names the exact task field of an invalid time zone', () => {
    const tasks = [valid.orchestratedTasks[0], { ...valid.orchestratedTasks[1], timeZone: 'Europe/Atlantis' }];
    expect(validateOrchestrationDefinition({ ...valid, orchestratedTasks: tasks })).toEqual([
      { field: 'orchestratedTasks[1].timeZone', message: 'must be an IANA time zone such as Europe/Paris' },
    ]);
  });

  it('rejects an invalid definition time zone', () => {
    expect(fieldsOf({ ...valid, timeZone: 'CEST' })).toEqual(['timeZone']);
  });

  it('rejects invalid local times', () => {
    const tasks = [{ ...valid.orchestratedTasks[0], taskStartsAfter: '25:00' }];
    expect(fieldsOf({ ...valid, executionTimeLimit: '3am', orchestratedTasks: tasks })).toEqual([
      'executionTimeLimit',
      'orchestratedTasks[0].taskStartsAfter',
    ]);
  });

  it('rejects an invalid duration', () => {
    const withoutTimeLimit = { ...valid, executionTimeLimit: undefined };
    expect(fieldsOf({ ...withoutTimeLimit, executionDurationLimit: '4 hours' })).toEqual(['executionDurationLimit']);
    expect(fieldsOf({ ...withoutTimeLimit, executionDurationLimit: 'PT4H' })).toEqual([]);
  });

  it('rejects both limits at once, naming executionDurationLimit', () => {
    expect(validateOrchestrationDefinition({ ...valid, executionDurationLimit: 'PT4H' })).toEqual([
      { field: 'executionDurationLimit', message: 'is mutually exclusive with executionTimeLimit: set only one of them' },
    ]);
  });

  it('rejects an invalid cron expression and cron time zone', () => {
    expect(fieldsOf({ ...valid, executionPlan: { scheduleType: 'CRON', cronExpression: '0 25 * * *', timeZone: 'Nowhere/Land' } })).toEqual([
      'executionPlan.cronExpression',
      'executionPlan.timeZone',
    ]);
  });

  it('checks each schedule type for its own fields', () => {
    expect(fieldsOf({ ...valid, executionPlan: { scheduleType: 'ONCE', fireTime: '2020-05-18T10:12:39.527Z', interval: 0 } })).toEqual([]);
    expect(fieldsOf({ ...valid, executionPlan: { scheduleType: 'ONCE' } })).toEqual(['executionPlan.fireTime']);
    expect(fieldsOf({ ...valid, executionPlan: { scheduleType: 'ONCE', fireTime: '2020-05-18T10:12:39' } })).toEqual(['executionPlan.fireTime']);
    expect(fieldsOf({ ...valid, executionPlan: { scheduleType: 'INTERVAL', fireTime: '2020-05-18T10:12:39Z', interval: 0 } })).toEqual([
      'executionPlan.interval',
    ]);
    expect(fieldsOf({ ...valid, executionPlan: { scheduleType: 'CRON', cronExpression: '0 1 * * *', fireTime: '2020-05-18T10:12:39Z' } })).toEqual([
      'executionPlan.fireTime',
    ]);
    expect(fieldsOf({ ...valid, executionPlan: { scheduleType: 'WEEKLY' } })).toEqual(['executionPlan.scheduleType']);
  });

  it('accepts the seed task types and any registered job type, but not an empty one', () => {
    const typed = (taskType: unknown) => fieldsOf({ ...valid, orchestratedTasks: [{ taskId: 't', taskType }] });
    for (const taskType of ['IMPORT', 'RECONCILIATION', 'EXPORT', 'PROVISIONING', 'billing.export-v2']) expect(typed(taskType)).toEqual([]);
    for (const taskType of ['', ' ', 'two words', 42]) expect(typed(taskType)).toEqual(['orchestratedTasks[0].taskType']);
  });

  it('allows the same taskId twice: the seed does not require uniqueness', () => {
    expect(fieldsOf({ ...valid, orchestratedTasks: [{ taskId: 't', taskType: 'IMPORT' }, { taskId: 't', taskType: 'IMPORT' }] })).toEqual([]);
  });

  it('rejects wrongly typed booleans and unknown properties', () => {
    expect(
      fieldsOf({
        ...valid,
        active: 'yes',
        timezone: 'UTC',
        orchestratedTasks: [{ taskId: 't', taskType: 'IMPORT', taskExecutionCondition: { executeOnParentTaskFailure: 'true', onSuccess: true } }],
      }),
    ).toEqual([
      'timezone',
      'active',
      'orchestratedTasks[0].taskExecutionCondition.onSuccess',
      'orchestratedTasks[0].taskExecutionCondition.executeOnParentTaskFailure',
    ]);
  });

  it('rejects something that is not an object', () => {
    expect(validateOrchestrationDefinition(null)).toEqual([{ field: '', message: 'must be an object' }]);
  });
});
