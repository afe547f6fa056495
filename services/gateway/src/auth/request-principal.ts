import type { Principal } from '@jobstream/auth';
import type { Request } from 'express';

const principals = new WeakMap<Request, Principal>();

/** Set by the AuthGuard once a request is authenticated. */
export const attachPrincipal = (req: Request, principal: Principal): void => {
  principals.set(req, principal);
};

/** Undefined for open routes and when AUTH=off. */
export const principalOfRequest = (req: Request): Principal | undefined => principals.get(req);
