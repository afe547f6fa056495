import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CallerOf, type Caller } from '../jobs/caller';
import { LocksService } from './locks.service';

/** Lock table of a tenant and the admin force release. Express 5 route syntax: `~` is escaped. */
@Controller(':tenant/api/locks')
export class LocksController {
  constructor(private readonly locks: LocksService) {}

  @Get()
  table(@Param('tenant') tenant: string) {
    return this.locks.table(tenant);
  }

  @Post(':resource/\\~release')
  @HttpCode(200)
  release(@Param('tenant') tenant: string, @Param('resource') resource: string, @Body() body: unknown, @CallerOf() caller: Caller) {
    return this.locks.forceRelease(tenant, resource, body, caller);
  }
}
