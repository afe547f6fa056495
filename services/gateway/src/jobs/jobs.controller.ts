import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CallerOf, type Caller } from './caller';
import { JobsService } from './jobs.service';

/**
 * The tenant-scoped jobs API. Bodies arrive unvalidated (no global pipe) and are checked by the
 * shared DTOs in JobsService, so REST and NATS report the same field paths.
 * Express 5 route syntax: `:` and `~` in a literal segment are escaped.
 */
@Controller(':tenant/api')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post('jobs')
  @HttpCode(202)
  async submit(
    @Param('tenant') tenant: string,
    @Body() body: unknown,
    @CallerOf() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ) {
    const answer = await this.jobs.submit(tenant, body, caller);
    res.location(answer.links.self);
    return answer;
  }

  @Post('jobs\\:batch')
  @HttpCode(202)
  submitBatch(@Param('tenant') tenant: string, @Body() body: unknown, @CallerOf() caller: Caller) {
    return this.jobs.submitBatch(tenant, body, caller);
  }

  @Get('jobs')
  list(@Param('tenant') tenant: string, @Query() query: Record<string, unknown>) {
    return this.jobs.list(tenant, query);
  }

  @Get('jobs/:jobId')
  get(@Param('tenant') tenant: string, @Param('jobId') jobId: string, @Query('asOf') asOf?: unknown) {
    return this.jobs.get(tenant, jobId, asOf);
  }

  @Get('jobs/:jobId/history')
  history(@Param('tenant') tenant: string, @Param('jobId') jobId: string) {
    return this.jobs.history(tenant, jobId);
  }

  @Post('jobs/:jobId/\\~cancel')
  @HttpCode(200)
  cancel(@Param('tenant') tenant: string, @Param('jobId') jobId: string, @Body() body: unknown, @CallerOf() caller: Caller) {
    return this.jobs.cancel(tenant, jobId, body, caller);
  }

  @Post('jobs/:jobId/\\~retry')
  @HttpCode(200)
  retry(@Param('tenant') tenant: string, @Param('jobId') jobId: string, @Body() body: unknown, @CallerOf() caller: Caller) {
    return this.jobs.retry(tenant, jobId, body, caller);
  }

  @Delete('jobs/:jobId')
  @HttpCode(204)
  async delete(@Param('tenant') tenant: string, @Param('jobId') jobId: string, @CallerOf() caller: Caller): Promise<void> {
    await this.jobs.delete(tenant, jobId, caller);
  }
}
