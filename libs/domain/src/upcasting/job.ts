import { defaultRetryPolicy, defaultTimeouts } from '../job/policy';
import type { JobFailureError, JobSubmittedData } from '../job/events';
import type { UpcasterTable } from './registry';

type Data = Record<string, unknown>;
const asObject = (data: unknown): Data => (data !== null && typeof data === 'object' ? (data as Data) : {});

/**
 * Version 1 of `job.submitted` named the job's type `jobType` and had no retry policy, timeouts, mode or
 * workflow variables: such jobs ran once, with the default deadlines, asynchronously. Events labelled 1 that
 * already have the version-2 fields (written before the version was bumped) keep them: every field is only
 * filled in when missing.
 */
function jobSubmittedV1toV2(data: unknown): JobSubmittedData {
  const { jobType, ...rest } = asObject(data);
  const v2 = rest as Partial<JobSubmittedData>;
  return {
    ...v2,
    type: v2.type ?? (jobType as string),
    timeouts: v2.timeouts ?? { ...defaultTimeouts },
    locks: v2.locks ?? [],
    retry: v2.retry ?? { ...defaultRetryPolicy, backoff: { ...defaultRetryPolicy.backoff }, nonRetryableErrors: [] },
    mode: v2.mode ?? 'async',
    workflowVariables: v2.workflowVariables ?? {},
  } as JobSubmittedData;
}

/** Version 1 of `job.failed` carried the failure as one string in `error`; version 2 calls it `message`. */
function jobFailedV1toV2(data: unknown): { executorId: string; message: string; error?: JobFailureError } {
  const d = asObject(data);
  if (typeof d.error !== 'string') return d as { executorId: string; message: string; error?: JobFailureError };
  const { error, ...rest } = d;
  return { ...(rest as { executorId: string }), message: typeof rest.message === 'string' ? rest.message : error };
}

export const JOB_UPCASTERS: UpcasterTable = {
  'job.submitted': { 1: jobSubmittedV1toV2 },
  'job.failed': { 1: jobFailedV1toV2 },
};
