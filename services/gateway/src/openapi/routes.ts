import { JobDefinitionDto, ListJobsQueryDto, SubmitBatchDto, SubmitJobDto } from '@jobstream/contracts';
import type { ParameterObject, ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CancelJobBody } from '../jobs/job-requests.dto';
import { ForceReleaseBody } from '../locks/lock-requests.dto';
import type { DtoClass } from './dto-schema';

export interface Answer {
  description: string;
  schema?: SchemaObject | ReferenceObject;
  contentType?: string;
}

export interface RouteDoc {
  summary: string;
  description?: string;
  tag?: string;
  /** The DTO class that validates the body. */
  body?: DtoClass;
  bodyOptional?: boolean;
  /** The DTO class that validates the query string. */
  query?: DtoClass;
  extraQuery?: ParameterObject[];
  ok: Record<number, Answer>;
  errors: number[];
}

export const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `field` names the first offending field, `errors` lists all of them',
  401: 'No, malformed, expired or revoked credentials (`message` says which)',
  403: 'Authenticated, but a permission is missing (`message` names it)',
  404: 'No such resource (or it was deleted)',
  429: 'Rate limit per tenant and key reached; Retry-After says when to come back',
  409: 'Illegal in the current state (e.g. cancel a finished job), or a concurrent change won',
  413: 'Body larger than MAX_BODY_BYTES (MAX_BATCH_BODY_BYTES for jobs:batch)',
  415: 'Body is not application/json',
  500: 'Unexpected failure',
  503: 'A service the gateway depends on (projector, scheduler, lock manager) did not answer',
};

const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });
const json = (description: string, name: string): Answer => ({ description, schema: ref(name) });
const text = (description: string, contentType = 'text/plain'): Answer => ({ description, schema: { type: 'string' }, contentType });

/** Error codes every route with a JSON body can answer before it runs. */
const BODY_ERRORS = [400, 413, 415, 500];

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /{tenant}/api/jobs': {
    tag: 'jobs',
    summary: 'Submit a job',
    description: 'Idempotent with idempotencyKey: a repeat answers the first job with duplicate: true. Location names the job.',
    body: SubmitJobDto,
    ok: { 202: json('Accepted; the job is queued (or waits for its locks)', 'SubmitAnswer') },
    errors: BODY_ERRORS,
  },
  'POST /{tenant}/api/jobs:batch': {
    tag: 'jobs',
    summary: 'Submit up to 1,000 jobs at once',
    body: SubmitBatchDto,
    ok: { 202: json('Accepted, one answer per job in order', 'BatchAnswer') },
    errors: BODY_ERRORS,
  },
  'GET /{tenant}/api/jobs': {
    tag: 'jobs',
    summary: 'List jobs (projector read model), newest first, filtered, one page at a time',
    query: ListJobsQueryDto,
    ok: { 200: json('One page', 'JobPage') },
    errors: [400, 500, 503],
  },
  'GET /{tenant}/api/jobs/{jobId}': {
    tag: 'jobs',
    summary: "A job folded from its own stream (asOf: the job as it was then)",
    extraQuery: [{ name: 'asOf', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } }],
    ok: { 200: json('The job', 'JobView') },
    errors: [400, 404, 500],
  },
  'GET /{tenant}/api/jobs/{jobId}/history': {
    tag: 'jobs',
    summary: "Every event of the job: who, when, what",
    ok: { 200: json('The events in order', 'JobHistory') },
    errors: [400, 404, 500],
  },
  'POST /{tenant}/api/jobs/{jobId}/~cancel': {
    tag: 'jobs',
    summary: 'Cancel a job (a running one is asked to stop: CANCEL_REQUESTED, then CANCELLED)',
    body: CancelJobBody,
    bodyOptional: true,
    ok: { 200: json('The job after the request', 'CommandAnswer') },
    errors: [...BODY_ERRORS, 404, 409],
  },
  'POST /{tenant}/api/jobs/{jobId}/~retry': {
    tag: 'jobs',
    summary: 'Retry a FAILED or CANCELLED job (no body)',
    ok: { 200: json('The job, queued again', 'CommandAnswer') },
    errors: [400, 404, 409, 500],
  },
  'DELETE /{tenant}/api/jobs/{jobId}': {
    tag: 'jobs',
    summary: 'Delete a finished job (its history stays in the log)',
    ok: { 204: { description: 'Deleted' } },
    errors: [400, 404, 409, 500],
  },
  'GET /{tenant}/api/jobs/{jobId}/done': {
    tag: 'live',
    summary: 'Completion flag of a job',
    ok: { 200: json('Whether the job has ended', 'JobDone') },
    errors: [400, 404, 500],
  },
  'GET /{tenant}/api/jobs/{jobId}/events': {
    tag: 'live',
    summary: "The job's events as server-sent events until it settles (Last-Event-ID resumes)",
    ok: { 200: text('text/event-stream; each event is a history entry, id = revision', 'text/event-stream') },
    errors: [400, 404, 500],
  },
  'POST /{tenant}/api/jobs:run': {
    tag: 'sync',
    summary: 'Run a job synchronously: 200 with its result, or 202 when it does not settle within timeoutMs',
    description: 'The body is a submit body plus optional timeoutMs.',
    ok: { 200: json('The settled job', 'SyncResult'), 202: json('Async fallback: the job continues in the background', 'SyncResult') },
    errors: BODY_ERRORS,
  },
  'POST /{tenant}/api/jobs:mixed': {
    tag: 'sync',
    summary: 'Ordered actions: the synchronous ones first, then the background ones',
    ok: { 200: { description: 'Results of every action', schema: { type: 'object', additionalProperties: true } } },
    errors: BODY_ERRORS,
  },
  'POST /{tenant}/api/job-definitions': {
    tag: 'job-definitions',
    summary: 'Create a job definition (a row of Jobs Management)',
    body: JobDefinitionDto,
    ok: { 201: json('Created; Location names it', 'JobDefinitionView') },
    errors: [...BODY_ERRORS, 409],
  },
  'GET /{tenant}/api/job-definitions': {
    tag: 'job-definitions',
    summary: 'The Jobs Management table: Name, Description, Type, Status, Last Run Result, Last Run Time, Next Run Time, Active on Host',
    ok: { 200: json('Every definition of the tenant', 'JobDefinitionList') },
    errors: [400, 500, 503],
  },
  'GET /{tenant}/api/job-definitions/{id}': {
    tag: 'job-definitions',
    summary: 'One job definition',
    ok: { 200: json('The definition', 'JobDefinitionView') },
    errors: [400, 404, 500],
  },
  'PUT /{tenant}/api/job-definitions/{id}': {
    tag: 'job-definitions',
    summary: 'Replace a job definition (waits as RecyclePending while a run is in flight)',
    body: JobDefinitionDto,
    ok: { 200: json('The definition after the change', 'JobDefinitionView') },
    errors: [...BODY_ERRORS, 404, 409],
  },
  'DELETE /{tenant}/api/job-definitions/{id}': {
    tag: 'job-definitions',
    summary: 'Delete a job definition',
    ok: { 204: { description: 'Deleted' } },
    errors: [400, 404, 409, 500],
  },
  'POST /{tenant}/api/job-definitions/{id}/~start': {
    tag: 'job-definitions',
    summary: 'Start a run now (the Start button)',
    ok: { 202: json('The run was submitted as a job', 'DefinitionRun') },
    errors: [400, 404, 409, 500, 503],
  },
  'POST /{tenant}/api/job-definitions/{id}/~stop': {
    tag: 'job-definitions',
    summary: "Stop the current run (cancels the run's job)",
    ok: { 202: json('Stop requested', 'JobDefinitionView') },
    errors: [400, 404, 409, 500],
  },
  'POST /{tenant}/api/job-definitions/{id}/~enable': {
    tag: 'job-definitions',
    summary: 'Enable a definition',
    ok: { 200: json('The definition', 'JobDefinitionView') },
    errors: [400, 404, 409, 500],
  },
  'POST /{tenant}/api/job-definitions/{id}/~disable': {
    tag: 'job-definitions',
    summary: 'Disable a definition',
    ok: { 200: json('The definition', 'JobDefinitionView') },
    errors: [400, 404, 409, 500],
  },
  'GET /{tenant}/api/locks': {
    tag: 'locks',
    summary: 'Lock table of the tenant: holders and waiters per resource',
    ok: { 200: json('The lock table', 'LockTable') },
    errors: [400, 500, 503],
  },
  'POST /{tenant}/api/locks/{resource}/~release': {
    tag: 'locks',
    summary: 'Force release of a resource by an administrator (recorded with the actor)',
    body: ForceReleaseBody,
    bodyOptional: true,
    ok: { 200: { description: 'The resource after the release', schema: { type: 'object', additionalProperties: true } } },
    errors: [...BODY_ERRORS, 404, 503],
  },
  'GET /{tenant}/api/events': {
    tag: 'live',
    summary: 'Live transitions of every job of the tenant (server-sent events, for the dashboard)',
    ok: { 200: text('text/event-stream; event name = aggregate, data = {aggregate, jobId, type, revision, status}', 'text/event-stream') },
    errors: [400],
  },
  'GET /health': {
    tag: 'operations',
    summary: 'System health: 200 when every service answers its NATS health probe, else 503',
    ok: { 200: json('Every service is up', 'Health'), 503: json('Degraded: the services that did not answer are "down"', 'Health') },
    errors: [],
  },
  'GET /metrics': {
    tag: 'operations',
    summary: "The gateway's own metrics (Prometheus text format)",
    ok: { 200: text('Prometheus exposition format') },
    errors: [500],
  },
  'GET /metrics/all': {
    tag: 'operations',
    summary: 'Metrics of every instance of every service, gathered over NATS (label service, instance)',
    ok: { 200: text('Prometheus exposition format') },
    errors: [500],
  },
  'POST /admin/~reload-certificates': {
    tag: 'operations',
    summary: 'Reload the HTTPS certificate (as SIGHUP does)',
    ok: { 200: { description: 'The certificate now served', schema: { type: 'object', additionalProperties: true } } },
    errors: [500],
  },
  'GET /{tenant}/api/executors': {
    tag: 'executors',
    summary: 'Live executors: host, job types, capacity and jobs in flight',
    ok: { 200: { description: 'The executor fleet', schema: { type: 'object', additionalProperties: true } } },
    errors: [400, 500, 503],
  },
  'GET /{tenant}/api/sync/orchestration-tasks': {
    tag: 'orchestration',
    summary: 'Orchestration task definitions of the tenant',
    ok: { 200: { description: 'The definitions', schema: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
    errors: [400, 500],
  },
  'POST /{tenant}/api/sync/orchestration-tasks': {
    tag: 'orchestration',
    summary: 'Create an orchestration task definition (JSON, or the seed XML)',
    ok: { 200: { description: 'The definition', schema: { type: 'object', additionalProperties: true } } },
    errors: [...BODY_ERRORS, 409],
  },
  'POST /{tenant}/api/sync/orchestration-tasks:import': {
    tag: 'orchestration',
    summary: 'Bulk import of orchestration task definitions (JSON list, or the seed XML `dmn:OrchestrationTaskDefinitions`); existing ids are updated',
    ok: { 200: { description: 'The imported definitions', schema: { type: 'object', additionalProperties: true } } },
    errors: BODY_ERRORS,
  },
  'GET /{tenant}/api/sync/orchestration-tasks:export': {
    tag: 'orchestration',
    summary: 'Every orchestration task definition of the tenant: XML unless Accept asks for JSON',
    ok: { 200: { description: 'The definitions', schema: { type: 'string' }, contentType: 'application/xml' } },
    errors: [400, 500],
  },
  'GET /{tenant}/api/sync/orchestration-tasks/{}': {
    tag: 'orchestration',
    summary: 'One orchestration task definition',
    ok: { 200: { description: 'The definition', schema: { type: 'object', additionalProperties: true } } },
    errors: [400, 404, 500],
  },
  'PUT /{tenant}/api/sync/orchestration-tasks/{}': {
    tag: 'orchestration',
    summary: 'Replace an orchestration task definition (applies to the next run)',
    ok: { 200: { description: 'The definition', schema: { type: 'object', additionalProperties: true } } },
    errors: [...BODY_ERRORS, 404],
  },
  'DELETE /{tenant}/api/sync/orchestration-tasks/{}': {
    tag: 'orchestration',
    summary: 'Delete an orchestration task definition',
    ok: { 204: { description: 'Deleted' } },
    errors: [400, 404, 500],
  },
  'POST /{tenant}/api/sync/orchestration-tasks/{}/instances': {
    tag: 'orchestration',
    summary: 'Launch a run: the instance UUID as plain text',
    ok: { 200: text('The instance id') },
    errors: [400, 404, 409, 500],
  },
  'GET /{tenant}/api/sync/orchestration-tasks/{}/instances': {
    tag: 'orchestration',
    summary: 'Reports of the runs of a definition',
    ok: { 200: { description: 'Run reports', schema: { type: 'array', items: { type: 'object', additionalProperties: true } } } },
    errors: [400, 404, 500],
  },
  'GET /{tenant}/api/sync/orchestration-tasks/{}/instances/{}': {
    tag: 'orchestration',
    summary: 'The report of one run: status and, per task, status, why skipped, start, end, object counts',
    ok: { 200: { description: 'The run report', schema: { type: 'object', additionalProperties: true } } },
    errors: [400, 404, 500],
  },
  'POST /{tenant}/api/sync/orchestration-tasks/{}/instances/{}/~cancel': {
    tag: 'orchestration',
    summary: 'Cancel a run',
    ok: { 200: { description: 'Cancelled (empty body)' } },
    errors: [400, 404, 409, 500],
  },
  'DELETE /{tenant}/api/sync/orchestration-tasks/{}/instances/{}': {
    tag: 'orchestration',
    summary: 'Delete a finished run',
    ok: { 204: { description: 'Deleted' } },
    errors: [400, 404, 409, 500],
  },
  'POST /api/keys': {
    tag: 'auth',
    summary: 'Create an API key: the answer holds the key, shown this once (docs/security.md)',
    ok: { 201: { description: 'The key and its record', schema: { type: 'object', additionalProperties: true } } },
    errors: [400, 401, 403, 500],
  },
  'GET /api/keys': {
    tag: 'auth',
    summary: "API keys within the caller's tenants (never their secrets)",
    ok: { 200: { description: 'The keys', schema: { type: 'object', additionalProperties: true } } },
    errors: [401, 403, 500],
  },
  'POST /api/keys/{keyId}/~rotate': {
    tag: 'auth',
    summary: 'New secret for a key; the old one stops working at once',
    ok: { 200: { description: 'The new key and its record', schema: { type: 'object', additionalProperties: true } } },
    errors: [400, 401, 403, 404, 409, 500],
  },
  'DELETE /api/keys/{keyId}': {
    tag: 'auth',
    summary: 'Revoke a key for good',
    ok: { 200: { description: 'The revoked record', schema: { type: 'object', additionalProperties: true } } },
    errors: [400, 401, 403, 404, 409, 500],
  },
  'GET /api/auth/whoami': {
    tag: 'auth',
    summary: 'The authenticated principal: actor, tenants, rights and permissions',
    ok: { 200: { description: 'The principal', schema: { type: 'object', additionalProperties: true } } },
    errors: [401],
  },
  'GET /': { tag: 'dashboard', summary: 'The dashboard', ok: { 200: text('The page', 'text/html') }, errors: [503] },
  'GET /dashboard': { tag: 'dashboard', summary: 'The Jobs Management dashboard', ok: { 200: text('The page', 'text/html') }, errors: [503] },
  'GET /dashboard/assets/{file}': {
    tag: 'dashboard',
    summary: "The dashboard's bundled script and style sheet",
    ok: { 200: text('app.js or app.css', 'application/octet-stream') },
    errors: [404],
  },
};

/** Path parameters match whatever they are named (`{}` in a key stands for any `{name}`), after the tenant. */
const normalize = (key: string) => key.replace(/\/\{(?!tenant\})[^}]+\}/g, '/{}');
const BY_SHAPE = new Map(Object.entries(ROUTE_DOCS).map(([key, doc]) => [normalize(key), doc]));

export const routeDocOf = (method: string, path: string): RouteDoc | undefined => BY_SHAPE.get(normalize(`${method.toUpperCase()} ${path}`));
