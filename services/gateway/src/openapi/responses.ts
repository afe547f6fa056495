import { JOB_DEFINITION_STATUSES, JOB_STATUSES } from '@jobstream/domain';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * Answer shapes of the REST API as JSON schemas. The answers are TypeScript interfaces (job-view.ts,
 * job-definition-view.ts, jobs.service.ts), which leave nothing to read at run time, so they are
 * spelled out once here.
 */
const str: SchemaObject = { type: 'string' };
const nullableStr: SchemaObject = { type: 'string', nullable: true };
const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const nullableDateTime: SchemaObject = { ...dateTime, nullable: true };
const int: SchemaObject = { type: 'integer' };
const anyObject: SchemaObject = { type: 'object', additionalProperties: true };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jobStatus: SchemaObject = { type: 'string', enum: [...JOB_STATUSES] };

export const RESPONSE_SCHEMAS: Record<string, SchemaObject> = {
  ApiErrorBody: {
    type: 'object',
    description: 'The one error shape of every route.',
    required: ['statusCode', 'error', 'message'],
    properties: {
      statusCode: int,
      error: { type: 'string', example: 'Bad Request' },
      message: { type: 'string', example: 'type: type must be 1 to 100 letters, digits, "-" or "_"' },
      field: { type: 'string', description: 'The first offending field (dotted path)' },
      errors: { type: 'array', items: { type: 'object', properties: { field: str, message: str } } },
    },
  },
  JobLinks: { type: 'object', properties: { self: str, history: str, cancel: str } },
  SubmitAnswer: {
    type: 'object',
    required: ['jobId', 'status', 'duplicate', 'links'],
    properties: {
      jobId: str,
      status: jobStatus,
      duplicate: { type: 'boolean', description: 'The idempotency key was used before: this describes the first job' },
      deleted: { type: 'boolean', description: 'Only for a duplicate of a job deleted since' },
      links: ref('JobLinks'),
    },
  },
  BatchAnswer: {
    type: 'object',
    properties: {
      jobs: { type: 'array', items: { type: 'object', properties: { jobId: str, status: jobStatus, duplicate: { type: 'boolean' }, deleted: { type: 'boolean' } } } },
    },
  },
  CommandAnswer: {
    type: 'object',
    properties: { jobId: str, status: jobStatus, cancelRequested: { type: 'boolean' }, attempt: int },
  },
  JobError: {
    type: 'object',
    nullable: true,
    properties: {
      message: str,
      error: { type: 'object', properties: { name: str, message: str, stack: str } },
    },
  },
  JobView: {
    type: 'object',
    properties: {
      jobId: str,
      tenant: str,
      type: str,
      status: jobStatus,
      priority: int,
      payload: anyObject,
      progress: { type: 'object', properties: { percent: { type: 'number' }, message: str } },
      jobVariables: anyObject,
      workflowVariables: anyObject,
      output: { description: 'What the handler returned' },
      attempt: int,
      executorId: nullableStr,
      locks: { type: 'array', items: { type: 'object', properties: { resource: str, mode: { type: 'string', enum: ['SHARED', 'EXCLUSIVE'] } } } },
      timestamps: {
        type: 'object',
        properties: { submittedAt: nullableDateTime, startedAt: nullableDateTime, endedAt: nullableDateTime, updatedAt: nullableDateTime },
      },
      lastError: ref('JobError'),
      cancelRequested: { type: 'boolean' },
      definitionId: nullableStr,
    },
  },
  JobHistory: {
    type: 'object',
    properties: {
      jobId: str,
      events: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            revision: int,
            type: { type: 'string', example: 'job.started' },
            occurredAt: dateTime,
            actor: { type: 'string', example: 'executor:host-1' },
            correlationId: str,
            causationId: nullableStr,
            data: anyObject,
          },
        },
      },
    },
  },
  JobSummary: {
    type: 'object',
    properties: {
      jobId: str,
      tenant: str,
      type: str,
      status: jobStatus,
      priority: int,
      progress: { type: 'object', properties: { percent: { type: 'number' }, message: str } },
      attempt: int,
      executorId: nullableStr,
      definitionId: nullableStr,
      submittedAt: dateTime,
      startedAt: nullableDateTime,
      endedAt: nullableDateTime,
      updatedAt: dateTime,
      lastError: nullableStr,
    },
  },
  JobPage: {
    type: 'object',
    description: 'Newest first; pass nextCursor (with the same filters) for the next page; null on the last page.',
    properties: { items: { type: 'array', items: ref('JobSummary') }, nextCursor: nullableStr },
  },
  JobDone: { type: 'object', properties: { done: { type: 'boolean' }, status: jobStatus } },
  SyncResult: {
    type: 'object',
    description: '200: the settled job; 202: the async fallback (jobId, status, links, reason).',
    additionalProperties: true,
    properties: { jobId: str, status: jobStatus, jobVariables: anyObject, workflowVariables: anyObject, output: {}, lastError: ref('JobError') },
  },
  JobDefinitionView: {
    type: 'object',
    properties: {
      definitionId: str,
      name: str,
      description: str,
      type: str,
      configuration: anyObject,
      schedule: { type: 'object', nullable: true, additionalProperties: true },
      enabled: { type: 'boolean' },
      status: { type: 'string', enum: [...JOB_DEFINITION_STATUSES] },
      lastRunResult: { type: 'string', nullable: true, example: 'Succeeded' },
      lastRunTime: nullableDateTime,
      nextRunTime: nullableDateTime,
      activeOnHost: nullableStr,
      currentJobId: nullableStr,
      stopRequested: { type: 'boolean' },
      pendingChange: { type: 'object', nullable: true, additionalProperties: true },
      suspendedReason: nullableStr,
      createdAt: nullableDateTime,
      updatedAt: nullableDateTime,
      version: int,
      links: { type: 'object', properties: { self: str, start: str, stop: str } },
    },
  },
  JobDefinitionList: {
    description: 'The Jobs Management rows (projector read model)',
    type: 'object',
    additionalProperties: true,
    properties: { items: { type: 'array', items: ref('JobDefinitionView') } },
  },
  DefinitionRun: { type: 'object', properties: { definitionId: str, jobId: str }, additionalProperties: true },
  LockTable: {
    type: 'object',
    properties: {
      resources: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            resource: str,
            holders: { type: 'array', items: { type: 'object', properties: { jobId: str, mode: str, since: dateTime } } },
            waiters: { type: 'array', items: { type: 'object', additionalProperties: true, properties: { jobId: str, mode: str } } },
          },
        },
      },
    },
  },
  Health: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ok', 'degraded'] },
      services: { type: 'object', additionalProperties: { type: 'string', enum: ['up', 'down'] } },
    },
  },
};
