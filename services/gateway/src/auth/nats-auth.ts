import { AUTHORIZATION_HEADER, belongsTo, type Permission } from '@jobstream/auth';
import type { MsgHdrs } from 'nats';
import { ApiError } from '../errors/api-error';
import { callerOfNatsHeaders, type Caller } from '../jobs/caller';
import type { Authenticator } from './authenticator';
import { loadAuthConfig } from './auth-config';

let authenticator: Authenticator | undefined;

/** Called by AuthModule once the authenticator exists; the raw NATS listeners are not Nest routes. */
export const registerNatsAuthenticator = (instance: Authenticator): void => {
  authenticator = instance;
};

/**
 * The caller of a NATS request on `jobs.submit.<tenant>` or `jobs.sync.<tenant>.<type>`: its
 * `authorization` header is checked exactly like an HTTP one (401, 404 for a foreign tenant, 403).
 * Answers the failure in the same JSON shape through the listener's error mapping.
 */
export async function natsCaller(h: MsgHdrs | undefined, tenant: string, permission: Permission): Promise<Caller> {
  const base = callerOfNatsHeaders(h);
  if (!authenticator) {
    // Fail closed: without the auth module only an explicit AUTH=off lets requests through.
    if (!loadAuthConfig().enabled) return base;
    throw new ApiError(503, 'authentication is not ready');
  }
  if (!authenticator.enabled) return base;
  const principal = await authenticator.authenticate(authenticator.credentialOf(h?.get(AUTHORIZATION_HEADER) || undefined));
  if (!belongsTo(principal, tenant)) throw ApiError.notFound('not found');
  if (!principal.permissions.has(permission)) throw new ApiError(403, `missing permission ${permission}`);
  return { ...base, actor: principal.actor };
}
