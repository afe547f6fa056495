import { handlerRegistration } from '../sdk/job-handler';
import { TestJobContext } from '../sdk/context.test-helper';
import { OrchestrationTaskHandler } from './orchestration-task.handler';

describe('orchestration-task', () => {
  const run = (payload: Record<string, unknown>) => new OrchestrationTaskHandler().execute(new TestJobContext({ type: 'orchestration-task', payload }));

  it('is registered as "orchestration-task"', () => {
    expect(handlerRegistration(OrchestrationTaskHandler)?.type).toBe('orchestration-task');
  });

  it('processes 10 objects by default, all succeeding', async () => {
    await expect(run({ taskId: 'imp' })).resolves.toMatchObject({ output: { objects: { processed: 10, succeeded: 10, failed: 0 } } });
  });

  it('fails every k-th object (a PARTIAL task)', async () => {
    await expect(run({ objects: 100, failEvery: 3 })).resolves.toMatchObject({ output: { objects: { processed: 100, succeeded: 67, failed: 33 } } });
  });

  it('fails the whole task on fatal', async () => {
    await expect(run({ taskId: 'imp', fatal: true })).resolves.toEqual({ failed: { message: 'task imp failed: fatal error' } });
  });

  it('hands a count down the chain in workflow variables', async () => {
    await expect(run({ taskId: 'exp', objects: 4 })).resolves.toMatchObject({ workflowVariables: { 'exp.processed': 4 } });
  });

  it('rejects bad knobs naming the field', async () => {
    await expect(run({ objects: -1 })).rejects.toMatchObject({ name: 'InvalidPayloadError' });
  });
});
