import { PERMISSIONS, type Permission } from './permissions';

export interface RightDefinition {
  permissions: readonly Permission[];
  description: string;
}

const OTD_CRUD: Permission[] = [
  'OrchestrationTaskDefinition:create',
  'OrchestrationTaskDefinition:read',
  'OrchestrationTaskDefinition:update',
  'OrchestrationTaskDefinition:delete',
];

/**
 * Rights are what a key or a token is granted; each bundles permissions. The seed lists
 * `sys.sync-schema-crud` twice (read only, then full CRUD): it keeps the full CRUD meaning here and
 * the read-only row becomes `sys.sync-schema-read`, so one name means one thing.
 */
export const RIGHTS = {
  'sys.sync-schema-read': { permissions: ['OrchestrationTaskDefinition:read'], description: 'Can read all Orchestration Task Definitions.' },
  'sys.sync-schema-crud': { permissions: OTD_CRUD, description: 'CRUD capability on all Orchestration Task Definitions.' },
  'sys.orch-run': { permissions: ['Orch:run'], description: 'Can run all Orchestration Tasks.' },
  'sys.orch-progress': { permissions: ['Orch:progress'], description: 'Can see the execution report of all Orchestration Tasks.' },
  'sys.orch-admin': { permissions: ['Orch:run', 'Orch:progress'], description: 'Can run all Orchestration Tasks, or see the execution report of all Tasks.' },
  'sys.job-read': { permissions: ['Job:read'], description: 'Can list jobs and read their state and history.' },
  'sys.job-submit': { permissions: ['Job:submit', 'Job:read'], description: 'Can submit jobs and read them.' },
  'sys.job-admin': { permissions: ['Job:submit', 'Job:read', 'Job:cancel', 'Job:delete'], description: 'Can submit, read, cancel, retry and delete jobs.' },
  'sys.job-definition-read': { permissions: ['JobDefinition:read'], description: 'Can read all job definitions.' },
  'sys.job-definition-crud': {
    permissions: ['JobDefinition:create', 'JobDefinition:read', 'JobDefinition:update', 'JobDefinition:delete'],
    description: 'CRUD capability on all job definitions (including enable and disable).',
  },
  'sys.job-definition-run': { permissions: ['JobDefinition:read', 'JobDefinition:run'], description: 'Can start and stop runs of all job definitions.' },
  'sys.lock-read': { permissions: ['Lock:read'], description: 'Can read the lock table.' },
  'sys.lock-admin': { permissions: ['Lock:read', 'Lock:admin'], description: 'Can read the lock table and force-release locks.' },
  'sys.executor-read': { permissions: ['Executor:read'], description: 'Can see the executors and what they run.' },
  'sys.api-key-admin': { permissions: ['ApiKey:admin'], description: 'Can create, list, rotate and revoke API keys, within its own tenants and rights.' },
  'sys.metrics-read': { permissions: ['Metrics:read'], description: 'Can scrape the Prometheus metrics of the gateway and of every service.' },
  'sys.admin': { permissions: PERMISSIONS, description: 'Everything.' },
} as const satisfies Record<string, RightDefinition>;

export type Right = keyof typeof RIGHTS;

export const RIGHT_NAMES = Object.keys(RIGHTS) as Right[];

export const isRight = (value: unknown): value is Right => typeof value === 'string' && Object.hasOwn(RIGHTS, value);

export function permissionsOf(rights: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const right of rights) if (isRight(right)) for (const p of RIGHTS[right].permissions) granted.add(p);
  return granted;
}

/** The rights that include a permission: named in a 403 so the caller knows what to ask for. */
export const rightsGranting = (permission: Permission): Right[] =>
  RIGHT_NAMES.filter((right) => (RIGHTS[right].permissions as readonly Permission[]).includes(permission));
