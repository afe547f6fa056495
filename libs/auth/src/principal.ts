import type { Permission } from './permissions';
import { permissionsOf } from './rights';

/** `*` = every tenant, present and future. */
export type TenantScope = '*' | readonly string[];

/** Who is asking, once authenticated. */
export interface Principal {
  kind: 'key' | 'user' | 'service' | 'anonymous';
  /** Key id, JWT subject or service name. */
  id: string;
  /** What events record: `key:<keyId>`, `user:<sub>`, `service:<name>` or `anonymous`. */
  actor: string;
  tenants: TenantScope;
  rights: readonly string[];
  permissions: ReadonlySet<Permission>;
}

export function makePrincipal(kind: Principal['kind'], id: string, tenants: TenantScope, rights: readonly string[]): Principal {
  const actor = kind === 'anonymous' ? 'anonymous' : `${kind}:${id}`;
  return { kind, id, actor, tenants, rights, permissions: permissionsOf(rights) };
}

export const belongsTo = (principal: Principal, tenant: string): boolean => principal.tenants === '*' || principal.tenants.includes(tenant);

/** A principal may hand out only what it holds itself: keys never escalate. */
export function coversTenants(principal: Principal, tenants: TenantScope): boolean {
  if (principal.tenants === '*') return true;
  return tenants !== '*' && tenants.every((t) => principal.tenants.includes(t));
}

export function coversRights(principal: Principal, rights: readonly string[]): boolean {
  const wanted = permissionsOf(rights);
  return [...wanted].every((p) => principal.permissions.has(p));
}
