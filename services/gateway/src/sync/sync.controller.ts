import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CallerOf, type Caller } from '../jobs/caller';
import { MixedService } from './mixed.service';
import { SyncService } from './sync.service';

/** Express 5 route syntax: the `:` of a literal segment is escaped. */
@Controller(':tenant/api')
export class SyncController {
  constructor(
    private readonly sync: SyncService,
    private readonly mixed: MixedService,
  ) {}

  /** 200 with the result when the job settles within timeoutMs, else 202 async-fallback. */
  @Post('jobs\\:run')
  async run(@Param('tenant') tenant: string, @Body() body: unknown, @CallerOf() caller: Caller, @Res({ passthrough: true }) res: Response) {
    const answer = await this.sync.run(tenant, body, caller);
    res.status(answer.statusCode);
    if (answer.statusCode === 202) res.location(answer.body.links.self);
    return answer.body;
  }

  /** Ordered actions, synchronous ones first (in order), then the background ones (in order). */
  @Post('jobs\\:mixed')
  async runMixed(@Param('tenant') tenant: string, @Body() body: unknown, @CallerOf() caller: Caller, @Res({ passthrough: true }) res: Response) {
    const answer = await this.mixed.run(tenant, body, caller);
    res.status(answer.statusCode);
    return answer.body;
  }
}
