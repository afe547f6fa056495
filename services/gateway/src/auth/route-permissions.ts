import type { Permission } from '@jobstream/auth';

/** Anyone may call it: health, the dashboard's static files, the API description. */
export const PUBLIC = 'public';
/** Any authenticated principal, whatever its rights. */
export const AUTHENTICATED = 'authenticated';
/** A list needs every permission in it. */
export type RouteRule = Permission | readonly Permission[] | typeof PUBLIC | typeof AUTHENTICATED;

/**
 * THE authorization table: `<METHOD> <Express route path>` (exactly as registered, Express 5 escapes
 * included; HEAD uses its GET entry) → what the caller needs. A route missing here is denied with 403
 * "no permission mapping", and services/gateway/test/route-permissions.spec.ts fails, so whoever adds
 * a route adds its line here. Tenant routes (`/:tenant/...`) also require the principal to belong to
 * the tenant, else 404.
 */
export const ROUTE_PERMISSIONS: Readonly<Record<string, RouteRule>> = {
  // Open: probes, the dashboard page and its bundled assets (the data behind it needs a key), the API docs.
  'GET /health': PUBLIC,
  'GET /': PUBLIC,
  'GET /dashboard': PUBLIC,
  'GET /dashboard/assets/:file': PUBLIC,
  'GET /api/docs': PUBLIC,
  'GET /api/docs.json': PUBLIC,
  'GET /api/docs.yaml': PUBLIC,
  // Swagger UI's own files (registered by SwaggerModule.setup, outside Nest's guards anyway).
  'GET /api/docs/': PUBLIC,
  'GET /api/docs/index.html': PUBLIC,
  'GET /api/docs/swagger-ui-init.js': PUBLIC,
  'GET /api/docs/docs/swagger-ui-init.js': PUBLIC,
  'GET /api/docs/LICENSE': PUBLIC,

  'GET /api/auth/whoami': AUTHENTICATED,
  'POST /api/keys': 'ApiKey:admin',
  'GET /api/keys': 'ApiKey:admin',
  'POST /api/keys/:keyId/\\~rotate': 'ApiKey:admin',
  'DELETE /api/keys/:keyId': 'ApiKey:admin',

  'GET /metrics': 'Metrics:read',
  'GET /metrics/all': 'Metrics:read',
  'POST /admin/\\~reload-certificates': 'Gateway:admin',

  'POST /:tenant/api/jobs': 'Job:submit',
  'POST /:tenant/api/jobs\\:batch': 'Job:submit',
  'POST /:tenant/api/jobs\\:run': 'Job:submit',
  'POST /:tenant/api/jobs\\:mixed': 'Job:submit',
  'GET /:tenant/api/jobs': 'Job:read',
  'GET /:tenant/api/jobs/:jobId': 'Job:read',
  'GET /:tenant/api/jobs/:jobId/history': 'Job:read',
  'GET /:tenant/api/jobs/:jobId/done': 'Job:read',
  'GET /:tenant/api/jobs/:jobId/events': 'Job:read',
  'GET /:tenant/api/events': 'Job:read',
  'POST /:tenant/api/jobs/:jobId/\\~cancel': 'Job:cancel',
  // A retry puts the job back to work: the same power as submitting it.
  'POST /:tenant/api/jobs/:jobId/\\~retry': 'Job:submit',
  'DELETE /:tenant/api/jobs/:jobId': 'Job:delete',

  'POST /:tenant/api/job-definitions': 'JobDefinition:create',
  'GET /:tenant/api/job-definitions': 'JobDefinition:read',
  'GET /:tenant/api/job-definitions/:id': 'JobDefinition:read',
  'PUT /:tenant/api/job-definitions/:id': 'JobDefinition:update',
  'DELETE /:tenant/api/job-definitions/:id': 'JobDefinition:delete',
  'POST /:tenant/api/job-definitions/:id/\\~start': 'JobDefinition:run',
  'POST /:tenant/api/job-definitions/:id/\\~stop': 'JobDefinition:run',
  'POST /:tenant/api/job-definitions/:id/\\~enable': 'JobDefinition:update',
  'POST /:tenant/api/job-definitions/:id/\\~disable': 'JobDefinition:update',

  'GET /:tenant/api/locks': 'Lock:read',
  'POST /:tenant/api/locks/:resource/\\~release': 'Lock:admin',

  'GET /:tenant/api/executors': 'Executor:read',

  // Seed Memority's access control: definitions are OrchestrationTaskDefinition:*, runs Orch:run / Orch:progress.
  'GET /:tenant/api/sync/orchestration-tasks': 'OrchestrationTaskDefinition:read',
  'POST /:tenant/api/sync/orchestration-tasks': 'OrchestrationTaskDefinition:create',
  // An import creates new definitions and replaces existing ones.
  'POST /:tenant/api/sync/orchestration-tasks\\:import': ['OrchestrationTaskDefinition:create', 'OrchestrationTaskDefinition:update'],
  'GET /:tenant/api/sync/orchestration-tasks\\:export': 'OrchestrationTaskDefinition:read',
  'GET /:tenant/api/sync/orchestration-tasks/:taskId': 'OrchestrationTaskDefinition:read',
  'PUT /:tenant/api/sync/orchestration-tasks/:taskId': 'OrchestrationTaskDefinition:update',
  'DELETE /:tenant/api/sync/orchestration-tasks/:taskId': 'OrchestrationTaskDefinition:delete',
  'POST /:tenant/api/sync/orchestration-tasks/:taskId/instances': 'Orch:run',
  'GET /:tenant/api/sync/orchestration-tasks/:taskId/instances': 'Orch:progress',
  'GET /:tenant/api/sync/orchestration-tasks/:taskId/instances/:instanceId': 'Orch:progress',
  // Seed: "executing/canceling an orchestration task" is Orch:run; removing a finished run's report goes with it.
  'POST /:tenant/api/sync/orchestration-tasks/:taskId/instances/:instanceId/\\~cancel': 'Orch:run',
  'DELETE /:tenant/api/sync/orchestration-tasks/:taskId/instances/:instanceId': 'Orch:run',
};

export const routeKey = (method: string, path: string): string => `${method === 'HEAD' ? 'GET' : method} ${path}`;

/** The permissions a rule needs (none for PUBLIC and AUTHENTICATED). */
export const permissionsNeeded = (rule: RouteRule): readonly Permission[] =>
  rule === PUBLIC || rule === AUTHENTICATED ? [] : typeof rule === 'string' ? [rule] : rule;
