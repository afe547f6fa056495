import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CallerOf, type Caller } from '../jobs/caller';
import { JobDefinitionsService } from './job-definitions.service';

/** The Jobs Management screen as a REST resource (Express 5 syntax: `~` escaped). */
@Controller(':tenant/api/job-definitions')
export class JobDefinitionsController {
  constructor(private readonly definitions: JobDefinitionsService) {}

  @Post()
  @HttpCode(201)
  async create(@Param('tenant') tenant: string, @Body() body: unknown, @CallerOf() caller: Caller, @Res({ passthrough: true }) res: Response) {
    const view = await this.definitions.create(tenant, body, caller);
    res.location(view.links.self);
    return view;
  }

  @Get()
  list(@Param('tenant') tenant: string) {
    return this.definitions.list(tenant);
  }

  @Get(':id')
  get(@Param('tenant') tenant: string, @Param('id') id: string) {
    return this.definitions.get(tenant, id);
  }

  @Put(':id')
  replace(@Param('tenant') tenant: string, @Param('id') id: string, @Body() body: unknown, @CallerOf() caller: Caller) {
    return this.definitions.replace(tenant, id, body, caller);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('tenant') tenant: string, @Param('id') id: string, @CallerOf() caller: Caller): Promise<void> {
    await this.definitions.delete(tenant, id, caller);
  }

  @Post(':id/\\~start')
  @HttpCode(202)
  start(@Param('tenant') tenant: string, @Param('id') id: string, @CallerOf() caller: Caller) {
    return this.definitions.start(tenant, id, caller);
  }

  /** Cancels the run's job; the definition shows the run until the job has ended. */
  @Post(':id/\\~stop')
  @HttpCode(202)
  stop(@Param('tenant') tenant: string, @Param('id') id: string, @CallerOf() caller: Caller) {
    return this.definitions.action(tenant, id, caller, { type: 'stop' });
  }

  @Post(':id/\\~enable')
  @HttpCode(200)
  enable(@Param('tenant') tenant: string, @Param('id') id: string, @CallerOf() caller: Caller) {
    return this.definitions.action(tenant, id, caller, { type: 'enable' });
  }

  @Post(':id/\\~disable')
  @HttpCode(200)
  disable(@Param('tenant') tenant: string, @Param('id') id: string, @CallerOf() caller: Caller) {
    return this.definitions.action(tenant, id, caller, { type: 'disable' });
  }
}
