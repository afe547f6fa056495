import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';
import { optionalBoolean, optionalInteger } from './payload';

/**
 * Stands in for the seed's synchronization tasks (IMPORT, RECONCILIATION, EXPORT, PROVISIONING) so an
 * orchestration runs out of the box, deterministically from its payload (the orchestrated task's job
 * definition configuration plus what the scheduler adds: taskId, taskType, runId, definitionId, index):
 * - `objects` (default 10) objects are processed, one step of progress each tenth;
 * - every `failEvery`-th object fails (PARTIAL when any fails);
 * - `fatal: true` fails the whole task (a "fatal" error: the seed's missing CSV file);
 * - `delayMs` (default 0, at most 60 s) spreads the work in time, honouring cancellation.
 * The counts are the output the orchestration reads: `{objects: {processed, succeeded, failed}}`.
 */
@JobHandler('orchestration-task')
export class OrchestrationTaskHandler implements JobHandler {
  async execute(ctx: JobContext): Promise<JobOutcome> {
    const objects = optionalInteger(ctx.payload, 'objects', 0, 10_000_000, 10);
    const failEvery = optionalInteger(ctx.payload, 'failEvery', 0, 10_000_000, 0);
    const fatal = optionalBoolean(ctx.payload, 'fatal', false);
    const delayMs = optionalInteger(ctx.payload, 'delayMs', 0, 60_000, 0);
    const taskId = typeof ctx.payload.taskId === 'string' ? ctx.payload.taskId : ctx.jobId;
    if (delayMs > 0) await sleep(delayMs, ctx.signal);
    if (fatal) return { failed: { message: `task ${taskId} failed: fatal error` } };
    const failed = failEvery > 0 ? Math.floor(objects / failEvery) : 0;
    const processed = objects;
    return {
      output: { objects: { processed, succeeded: processed - failed, failed } },
      workflowVariables: { ...ctx.workflowVariables, [`${taskId}.processed`]: processed },
    };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
    }, { once: true });
  });
}
