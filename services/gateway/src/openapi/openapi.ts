import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponsesObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { dtoSchema, queryParameters, type Schemas } from './dto-schema';
import { RESPONSE_SCHEMAS } from './responses';
import { ERROR_TEXT, routeDocOf, type RouteDoc } from './routes';

export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = 'api/docs.json';

/** Nest writes Express 5's escapes (`jobs\:batch`, `\~cancel`) into the paths; clients call them unescaped. */
const unescapePath = (path: string) => path.replace(/\\([:~])/g, '$1');

const errorResponse = (code: number): ResponsesObject[string] => ({
  description: ERROR_TEXT[code] ?? 'Error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiErrorBody' } } },
});

function applyDoc(operation: OperationObject, doc: RouteDoc, schemas: Schemas): void {
  operation.summary = doc.summary;
  if (doc.description) operation.description = doc.description;
  if (doc.tag) operation.tags = [doc.tag];
  if (doc.body) {
    operation.requestBody = {
      required: !doc.bodyOptional,
      content: { 'application/json': { schema: dtoSchema(doc.body, schemas) } },
    };
  }
  if (doc.query) operation.parameters = [...(operation.parameters ?? []), ...queryParameters(doc.query, schemas, ['tenant'])];
  if (doc.extraQuery) operation.parameters = [...(operation.parameters ?? []), ...doc.extraQuery];
  const responses: ResponsesObject = {};
  for (const [code, answer] of Object.entries(doc.ok)) {
    responses[code] = {
      description: answer.description,
      ...(answer.schema && { content: { [answer.contentType ?? 'application/json']: { schema: answer.schema } } }),
    };
  }
  for (const code of doc.errors) responses[String(code)] = errorResponse(code);
  operation.responses = responses;
}

/**
 * The OpenAPI document of every route the app serves. Nest's scan lists the routes; request schemas
 * come from the validating DTO classes, answers and error codes from ROUTE_DOCS. A route missing
 * from ROUTE_DOCS is still listed, with the error shape, so nothing is silently undocumented.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('jobstream')
    .setDescription(
      'Event-sourced jobs and orchestration. Every error answers with ApiErrorBody. Send X-Correlation-Id to trace a request through every service.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (enforced once authentication lands)' })
    .build();
  const raw = SwaggerModule.createDocument(app, config);
  const schemas: Schemas = { ...RESPONSE_SCHEMAS };
  const paths: OpenAPIObject['paths'] = {};
  for (const [rawPath, item] of Object.entries(raw.paths)) {
    const path = unescapePath(rawPath);
    paths[path] = item;
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const doc = routeDocOf(method, path);
      if (doc) applyDoc(operation, doc, schemas);
      else {
        operation.responses = { ...operation.responses };
        for (const code of [400, 500]) operation.responses[String(code)] ??= errorResponse(code);
      }
      operation.security = [{ bearer: [] }];
    }
  }
  return { ...raw, paths, components: { ...raw.components, schemas: { ...raw.components?.schemas, ...schemas } } };
}

/** Swagger UI at /api/docs and the document at /api/docs.json (assets from swagger-ui-dist, no CDN). */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: DOCS_JSON_PATH, yamlDocumentUrl: 'api/docs.yaml' });
  return document;
}
