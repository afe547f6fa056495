import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { belongsTo, rightsGranting } from '@jobstream/auth';
import type { Request, Response } from 'express';
import { ApiError } from '../errors/api-error';
import { Authenticator } from './authenticator';
import { AUTH_CONFIG, type AuthConfig } from './auth-config';
import { attachPrincipal } from './request-principal';
import { permissionsNeeded, PUBLIC, ROUTE_PERMISSIONS, routeKey } from './route-permissions';

/**
 * Global guard: finds the route in ROUTE_PERMISSIONS (fail closed: no entry, no access),
 * authenticates, checks the tenant (404 for a foreign one, so nobody learns what another tenant
 * holds) and then the permission (403 naming it). Order matters: tenant before permission.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // NATS @MessagePattern handlers (health, metrics) are internal; the NATS entry points check in natsCaller.
    if (context.getType() !== 'http' || !this.config.enabled) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const path = (req.route as { path?: unknown } | undefined)?.path;
    const key = routeKey(req.method, typeof path === 'string' ? path : req.path);
    const rule = ROUTE_PERMISSIONS[key];
    if (rule === undefined) throw new ApiError(403, `no permission mapping for ${key}: denied until services/gateway/src/auth/route-permissions.ts names one`);
    if (rule === PUBLIC) return true;

    let principal;
    try {
      principal = await this.authenticator.authenticate(this.authenticator.credentialOf(req.headers.authorization, req.get('x-api-key')));
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 401) context.switchToHttp().getResponse<Response>().setHeader('www-authenticate', 'Bearer realm="jobstream"');
      throw error;
    }
    attachPrincipal(req, principal);

    const tenant = req.params?.tenant;
    if (typeof tenant === 'string' && !belongsTo(principal, tenant)) throw ApiError.notFound('not found');
    const missing = permissionsNeeded(rule).find((p) => !principal.permissions.has(p));
    if (missing !== undefined) throw new ApiError(403, `missing permission ${missing} (granted by ${rightsGranting(missing).join(', ')})`);
    return true;
  }
}
