import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CallerOf, type Caller } from '../jobs/caller';
import { ApiKeysService } from './api-keys.service';
import { principalOfRequest } from './request-principal';

/** Keys are not tenant data: tenant-less admin routes, limited to the caller's own tenants and rights. */
@Controller('api')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** 201 with the key itself: the only time it is ever shown. */
  @Post('keys')
  @HttpCode(201)
  create(@Req() req: Request, @Body() body: unknown, @CallerOf() caller: Caller) {
    return this.keys.create(principalOfRequest(req), body, caller);
  }

  @Get('keys')
  list(@Req() req: Request) {
    return { keys: this.keys.list(principalOfRequest(req)) };
  }

  /** A new secret now; the old one stops working at once. */
  @Post('keys/:keyId/\\~rotate')
  @HttpCode(200)
  rotate(@Req() req: Request, @Param('keyId') keyId: string, @Body() body: unknown, @CallerOf() caller: Caller) {
    return this.keys.rotate(principalOfRequest(req), keyId, body, caller);
  }

  @Delete('keys/:keyId')
  @HttpCode(200)
  revoke(@Req() req: Request, @Param('keyId') keyId: string, @Body() body: unknown, @CallerOf() caller: Caller) {
    return this.keys.revoke(principalOfRequest(req), keyId, body, caller);
  }

  /** Who the gateway takes the caller for: handy when a 403 or 404 surprises. */
  @Get('auth/whoami')
  whoami(@Req() req: Request) {
    const principal = principalOfRequest(req);
    if (!principal) return { actor: 'anonymous', authentication: 'off' };
    return { actor: principal.actor, kind: principal.kind, tenants: principal.tenants, rights: principal.rights, permissions: [...principal.permissions].sort() };
  }
}
