import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startNatsServer, type NatsServerHandle } from '@jobstream/testing';
import { DOCS_JSON_PATH, setupOpenApi } from './openapi';
import { routeDocOf } from './routes';

jest.setTimeout(60_000);

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Express 5 route `/:tenant/api/jobs\:batch` → OpenAPI `/{tenant}/api/jobs:batch`. */
const toOpenApiPath = (path: string) => path.replace(/\\([:~])/g, '$1').replace(/(^|\/):([A-Za-z0-9_]+)/g, '$1{$2}');

describe('OpenAPI document (real gateway on a real nats-server)', () => {
  let app: INestApplication;
  let nats: NatsServerHandle;
  let baseUrl: string;
  // Operations as `METHOD /path` → operation object.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let operations: Map<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: any;

  beforeAll(async () => {
    nats = await startNatsServer();
    process.env.NATS_URL = nats.url;
    process.env.LOG_LEVEL = 'silent';
    // As main.ts wires it: the docs are registered before the app listens (Nest's 404 handler comes last).
    const { GatewayModule } = await import('../app.module');
    const { configureHttp, HTTP_APP_OPTIONS } = await import('../errors/http-setup');
    app = await NestFactory.create(GatewayModule, { ...HTTP_APP_OPTIONS, logger: false });
    configureHttp(app);
    setupOpenApi(app);
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const res = await fetch(`${baseUrl}/${DOCS_JSON_PATH}`);
    expect(res.status).toBe(200);
    doc = await res.json();
    operations = new Map();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const [method, operation] of Object.entries(item)) operations.set(`${method.toUpperCase()} ${path}`, operation);
    }
  });

  afterAll(async () => {
    await app?.close();
    await nats?.stop();
  });

  it('documents every route the Express router serves, with a success answer and its error codes', () => {
    const express = app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
    const served = express.router.stack
      // Nest's not-found handler is registered as a catch-all route for every method: not an API route.
      .filter((layer) => layer.route && !layer.route.path.includes('{*path}'))
      .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${toOpenApiPath(layer.route!.path)}`))
      .filter((route) => !/ \/api\/docs/.test(route));
    expect(served.length).toBeGreaterThan(20);
    const undocumented = served.filter((route) => !operations.has(route));
    expect(undocumented).toEqual([]);
    // Listed is not enough: each route needs its entry in ROUTE_DOCS (summary, answers, error codes).
    const withoutDocs = served.filter((route) => {
      const [method, path] = route.split(' ');
      return !routeDocOf(method, path);
    });
    expect(withoutDocs).toEqual([]);
    for (const route of served) {
      const codes = Object.keys(operations.get(route).responses ?? {});
      expect({ route, success: codes.some((c) => /^2/.test(c)) }).toEqual({ route, success: true });
      expect({ route, errors: codes.some((c) => /^[45]/.test(c)) }).toEqual({ route, errors: true });
    }
  });

  it('takes request schemas from the validating DTO classes', () => {
    const submit = operations.get('POST /{tenant}/api/jobs');
    expect(submit.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SubmitJobDto' });
    const schema = doc.components.schemas.SubmitJobDto;
    expect(schema.required).toEqual(['type']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.priority).toEqual({ type: 'integer', minimum: -1000, maximum: 1000 });
    expect(schema.properties.locks.type).toBe('array');
    expect(schema.properties.locks.items).toEqual({ $ref: '#/components/schemas/LockRequestDto' });
    expect(doc.components.schemas.LockRequestDto.properties.mode.enum).toEqual(['SHARED', 'EXCLUSIVE']);
    expect(doc.components.schemas.JobDefinitionDto.required).toEqual(expect.arrayContaining(['name', 'type']));
    const list = operations.get('GET /{tenant}/api/jobs');
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['tenant', 'status', 'type', 'cursor', 'limit']));
  });

  it('answers with response schemas and the one error shape', () => {
    const get = operations.get('GET /{tenant}/api/jobs/{jobId}');
    expect(get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/JobView' });
    expect(get.responses['404'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ApiErrorBody' });
    const cancel = operations.get('POST /{tenant}/api/jobs/{jobId}/~cancel');
    expect(Object.keys(cancel.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
  });

  it('serves the Swagger UI from local assets', async () => {
    const page = await fetch(`${baseUrl}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg)/);
  });
});
