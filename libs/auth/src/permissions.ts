/**
 * Every permission the system checks. Seed Memority's scheme `<Resource>:<action>`; all of them are
 * GLOBAL in the seed's sense (not per resource), and apply within the tenants a principal belongs to.
 */
export const PERMISSIONS = [
  // Seed: configuring orchestration task definitions.
  'OrchestrationTaskDefinition:create',
  'OrchestrationTaskDefinition:read',
  'OrchestrationTaskDefinition:update',
  'OrchestrationTaskDefinition:delete',
  // Seed: running an orchestration task, and reading its execution report.
  'Orch:run',
  'Orch:progress',
  // The same scheme for the rest of the system.
  'Job:submit',
  'Job:read',
  'Job:cancel',
  'Job:delete',
  'JobDefinition:create',
  'JobDefinition:read',
  'JobDefinition:update',
  'JobDefinition:delete',
  'JobDefinition:run',
  'Lock:read',
  'Lock:admin',
  'Executor:read',
  'ApiKey:admin',
  'Metrics:read',
  /** Operating the gateway itself (certificate reload). */
  'Gateway:admin',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const isPermission = (value: unknown): value is Permission => typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
