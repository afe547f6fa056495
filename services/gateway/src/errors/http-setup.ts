import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { bodyHardening, flagInvalidUtf8 } from '../auth/input-hardening';
import { correlationMiddleware } from '../jobs/caller';
import { ApiError } from './api-error';
import { ApiExceptionFilter } from './api-exception.filter';
import { fromBodyParser, type BodyParserError } from './error-mapping';
import { requestLog } from './request-log';

const MIB = 1_048_576;
const JSON_TYPES = ['application/json', 'application/*+json'];
/** Orchestration definitions also come as the seed's XML; parsed later by the domain's safe XML reader. */
const XML_TYPES = ['application/xml', 'text/xml'];
/** Only the batch submit carries a thousand jobs at once; every other body stays small. */
const BATCH_PATH = /^\/[^/]+\/api\/jobs:batch\/?$/;

export interface HttpLimits {
  maxBodyBytes: number;
  maxBatchBodyBytes: number;
}

function bytesFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name}="${raw}" is invalid: expected a positive integer number of bytes`);
  }
  return value;
}

/** MAX_BODY_BYTES (default 1 MiB) for every route, MAX_BATCH_BODY_BYTES (default 16 MiB) for `jobs:batch`. */
export function loadHttpLimits(env: NodeJS.ProcessEnv = process.env): HttpLimits {
  return {
    maxBodyBytes: bytesFrom(env, 'MAX_BODY_BYTES', MIB),
    maxBatchBodyBytes: bytesFrom(env, 'MAX_BATCH_BODY_BYTES', 16 * MIB),
  };
}

/** Nest's own parsers would apply one limit everywhere and answer in their own shape, so the gateway brings its own. */
export const HTTP_APP_OPTIONS: NestApplicationOptions = { bodyParser: false };

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** A body that is not JSON is refused before parsing; a POST without any body (e.g. ~cancel) passes. */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  if (isPlainJson(req)) return next();
  // Clients send `content-length: 0` for a POST without a body; that is no body, not a non-JSON one.
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (BODY_METHODS.has(req.method) && hasBody && !req.is([...JSON_TYPES, ...XML_TYPES])) {
    next(new ApiError(415, `content-type must be application/json or application/xml, not ${req.headers['content-type'] ?? 'missing'}`));
    return;
  }
  next();
}

/** The content types almost every client sends; anything else takes the general checks. */
const PLAIN_JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);
const DIGITS = /^\d+$/;

/** UTF-8 JSON as sent, with its length announced: what readPlainJson reads, body-parser the rest. */
function isPlainJson(req: Request): boolean {
  const type = req.headers['content-type'];
  return type !== undefined && PLAIN_JSON_TYPES.has(type.toLowerCase());
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const malformed = () => ApiError.badRequest('(body)', 'malformed JSON');

/**
 * body-parser's json({ strict: true, verify: flagInvalidUtf8 }) for a body of known length without
 * content-encoding, as body-parser answers it (BOM dropped, only an object or array at the top, the
 * same errors) without its per-request content-type parsing, stream wrappers and decoder: ~0.05 ms.
 */
function readPlainJson(req: Request, res: Response, next: NextFunction): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('error', () => next(new ApiError(400, 'the request body could not be read')));
  req.once('end', () => {
    let buffer = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    flagInvalidUtf8(req, res, buffer);
    if (UTF8_BOM.every((byte, i) => buffer[i] === byte)) buffer = buffer.subarray(UTF8_BOM.length);
    let body: unknown;
    try {
      body = JSON.parse(buffer.toString('utf8'));
    } catch {
      return next(malformed());
    }
    // strict: a JSON value that parses is an object or array exactly when its first character is { or [.
    if (typeof body !== 'object' || body === null) return next(malformed());
    req.body = body;
    next();
  });
}

function jsonBody(limits: HttpLimits): RequestHandler {
  const parser = (limit: number) => express.json({ limit, type: JSON_TYPES, strict: true, verify: flagInvalidUtf8 });
  const small = parser(limits.maxBodyBytes);
  const batch = parser(limits.maxBatchBodyBytes);
  return (req, res, next) => {
    const isBatch = BATCH_PATH.test(req.path);
    const length = req.headers['content-length'];
    const plain =
      isPlainJson(req) &&
      req.headers['content-encoding'] === undefined &&
      req.headers['transfer-encoding'] === undefined &&
      length !== undefined &&
      DIGITS.test(length) &&
      Number(length) > 0 &&
      Number(length) <= (isBatch ? limits.maxBatchBodyBytes : limits.maxBodyBytes);
    if (plain) return readPlainJson(req, res, next);
    const parse = isBatch ? batch : small;
    parse(req, res, (error?: unknown) => next(error === undefined || error === null ? undefined : fromBodyParser(error as BodyParserError)));
  };
}

/** XML bodies arrive as text, under the same limit as JSON. */
function xmlBody(limits: HttpLimits): RequestHandler {
  const parse = express.text({ limit: limits.maxBodyBytes, type: XML_TYPES, verify: flagInvalidUtf8 });
  return (req, res, next) => parse(req, res, (error?: unknown) => next(error === undefined || error === null ? undefined : fromBodyParser(error as BodyParserError)));
}

/** Registered before Nest's routes, identically by main.ts and the tests. */
export function configureHttp(app: INestApplication, limits: HttpLimits = loadHttpLimits()): void {
  app.use(requestLog, correlationMiddleware, requireJsonBody, jsonBody(limits), xmlBody(limits), bodyHardening());
  app.useGlobalFilters(new ApiExceptionFilter());
}
