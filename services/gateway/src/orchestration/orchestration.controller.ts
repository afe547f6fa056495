import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { toOrchestrationDefinitionsXml, toOrchestrationDefinitionXml } from '@jobstream/domain';
import type { Request, Response } from 'express';
import { CallerOf, type Caller } from '../jobs/caller';
import { OrchestrationService } from './orchestration.service';

const XML_TYPES = ['application/xml', 'text/xml'];
const isXmlBody = (req: Request): boolean => req.is(XML_TYPES) !== false && req.is(XML_TYPES) !== null;
/** XML only when the client prefers it to JSON; JSON otherwise (also for `*\/*`). */
const wantsXml = (req: Request): boolean => req.accepts(['application/json', 'application/xml']) === 'application/xml';

/**
 * The seed's Orchestration REST API (Memority Synchronization service), under `/{tenant}/api/sync`.
 * Definitions take and give JSON or the seed's XML; instances answer JSON (launch: a bare UUID).
 */
@Controller(':tenant/api/sync')
export class OrchestrationController {
  constructor(private readonly orchestration: OrchestrationService) {}

  @Get('orchestration-tasks')
  async list(@Param('tenant') tenant: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const definitions = await this.orchestration.listDefinitions(tenant);
    if (!wantsXml(req)) return definitions;
    res.type('application/xml');
    return toOrchestrationDefinitionsXml(definitions);
  }

  @Post('orchestration-tasks')
  @HttpCode(201)
  async create(@Param('tenant') tenant: string, @Body() body: unknown, @CallerOf() caller: Caller, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const created = await this.orchestration.createDefinition(tenant, this.orchestration.parseDefinition(body, isXmlBody(req)), caller);
    res.location(`/${tenant}/api/sync/orchestration-tasks/${created.id}`);
    return this.render(created, req, res);
  }

  @Post('orchestration-tasks\\:import')
  @HttpCode(200)
  import(@Param('tenant') tenant: string, @Body() body: unknown, @CallerOf() caller: Caller, @Req() req: Request) {
    return this.orchestration.importDefinitions(tenant, body, isXmlBody(req), caller);
  }

  /** XML unless the client asks for JSON: the export is meant to be re-imported by Memority tools. */
  @Get('orchestration-tasks\\:export')
  async export(@Param('tenant') tenant: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const definitions = await this.orchestration.listDefinitions(tenant);
    if (req.accepts(['application/xml', 'application/json']) === 'application/json') return definitions;
    res.type('application/xml');
    return toOrchestrationDefinitionsXml(definitions);
  }

  @Get('orchestration-tasks/:taskId')
  async get(@Param('tenant') tenant: string, @Param('taskId') taskId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.render(await this.orchestration.getDefinition(tenant, taskId), req, res);
  }

  @Put('orchestration-tasks/:taskId')
  async update(
    @Param('tenant') tenant: string,
    @Param('taskId') taskId: string,
    @Body() body: unknown,
    @CallerOf() caller: Caller,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const updated = await this.orchestration.updateDefinition(tenant, taskId, this.orchestration.parseDefinition(body, isXmlBody(req)), caller);
    return this.render(updated, req, res);
  }

  @Delete('orchestration-tasks/:taskId')
  @HttpCode(204)
  async delete(@Param('tenant') tenant: string, @Param('taskId') taskId: string, @CallerOf() caller: Caller): Promise<void> {
    await this.orchestration.deleteDefinition(tenant, taskId, caller);
  }

  /** The seed: 200 with the instance UUID "as a simple string (not JSON)". */
  @Post('orchestration-tasks/:taskId/instances')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  launch(@Param('tenant') tenant: string, @Param('taskId') taskId: string, @CallerOf() caller: Caller): Promise<string> {
    return this.orchestration.launch(tenant, taskId, caller);
  }

  @Get('orchestration-tasks/:taskId/instances')
  instances(@Param('tenant') tenant: string, @Param('taskId') taskId: string) {
    return this.orchestration.listInstances(tenant, taskId);
  }

  @Get('orchestration-tasks/:taskId/instances/:instanceId')
  instance(@Param('tenant') tenant: string, @Param('taskId') taskId: string, @Param('instanceId') instanceId: string, @Query('asOf') asOf?: unknown) {
    return this.orchestration.getInstance(tenant, taskId, instanceId, asOf);
  }

  /** The seed: 200 with an empty body. */
  @Post('orchestration-tasks/:taskId/instances/:instanceId/\\~cancel')
  @HttpCode(200)
  async cancel(
    @Param('tenant') tenant: string,
    @Param('taskId') taskId: string,
    @Param('instanceId') instanceId: string,
    @CallerOf() caller: Caller,
    @Res() res: Response,
  ): Promise<void> {
    await this.orchestration.cancelInstance(tenant, taskId, instanceId, caller);
    res.status(200).end();
  }

  @Delete('orchestration-tasks/:taskId/instances/:instanceId')
  @HttpCode(204)
  async deleteInstance(@Param('tenant') tenant: string, @Param('taskId') taskId: string, @Param('instanceId') instanceId: string, @CallerOf() caller: Caller): Promise<void> {
    await this.orchestration.deleteInstance(tenant, taskId, instanceId, caller);
  }

  private render(definition: Parameters<typeof toOrchestrationDefinitionXml>[0], req: Request, res: Response) {
    if (!wantsXml(req)) return definition;
    res.type('application/xml');
    return toOrchestrationDefinitionXml(definition);
  }
}
