import { jobIdFor } from '@jobstream/contracts';
import { KNOWN_TASK_TYPES } from '@jobstream/domain';

/** The executor's handler for the seed's task types (IMPORT, RECONCILIATION, EXPORT, PROVISIONING). */
export const ORCHESTRATION_TASK_JOB_TYPE = 'orchestration-task';

const TASK_KEY_PREFIX = 'orchestration:';

/**
 * A launch's idempotency key: the same launch submitted twice (a replay after a crash) is one job.
 * The gateway computes the same key to show the real job id in reports: keep the two in step.
 */
export const taskIdempotencyKey = (runId: string, index: number, launchId: string): string => `${TASK_KEY_PREFIX}${runId}:${index}:${launchId}`;

/** Whether a job's idempotency key is a task launch's, i.e. the job is an orchestration task. */
export const isTaskIdempotencyKey = (key: string | undefined): boolean => key?.startsWith(TASK_KEY_PREFIX) === true;

export const taskJobId = (tenant: string, runId: string, index: number, launchId: string): string =>
  jobIdFor(tenant, taskIdempotencyKey(runId, index, launchId));

/** Seed types run on the built-in simulator; anything else is a registered job type of its own. */
export const jobTypeOf = (taskType: string): string =>
  (KNOWN_TASK_TYPES as readonly string[]).includes(taskType) ? ORCHESTRATION_TASK_JOB_TYPE : taskType;
