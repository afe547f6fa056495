import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors/api-error';

const notUtf8 = new WeakSet<IncomingMessage>();

/**
 * body-parser `verify` hook: flags a body that is not valid UTF-8. The parser would otherwise turn
 * the bad bytes into U+FFFD and let them through; the flag makes the request a 400 instead.
 */
export function flagInvalidUtf8(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  if (!isUtf8(buf)) notUtf8.add(req);
}

/** MAX_JSON_DEPTH (default 64): deeper bodies are refused before any validator walks them recursively. */
export function loadMaxJsonDepth(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MAX_JSON_DEPTH?.trim();
  if (raw === undefined || raw === '') return 64;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`MAX_JSON_DEPTH="${raw}" is invalid: expected a positive integer`);
  return Number(raw);
}

/** Iterative on purpose: a recursive walk of a hostile body is what this guards against. */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** Runs after the body parsers. */
export function bodyHardening(maxDepth = loadMaxJsonDepth()) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (notUtf8.has(req)) return next(ApiError.badRequest('(body)', 'the body is not valid UTF-8'));
    if (jsonDepthExceeds(req.body, maxDepth)) return next(ApiError.badRequest('(body)', `the body is nested deeper than ${maxDepth} levels`));
    next();
  };
}

/** Nest's record of a handler's parameters (`@Body()` is RouteParamtypes.BODY = 3). */
const ROUTE_ARGS_METADATA = '__routeArguments__';
const BODY_PARAM = /^3:/;

/** Per handler, once: reading the route metadata costs more than the rest of the guard. */
const takesBodyByHandler = new WeakMap<object, boolean>();

const isEmptyBody = (body: unknown): boolean =>
  body === undefined || body === '' || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);

/**
 * A route whose handler takes no `@Body()` would silently ignore whatever is sent; the whitelist rule
 * ("unknown fields are rejected") applies to it too: any non-empty body is a 400.
 */
@Injectable()
export class NoBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (isEmptyBody(req.body)) return true;
    const handler = context.getHandler();
    let takesBody = takesBodyByHandler.get(handler);
    if (takesBody === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      takesBody = Object.keys(args).some((key) => BODY_PARAM.test(key));
      takesBodyByHandler.set(handler, takesBody);
    }
    if (takesBody) return true;
    throw ApiError.badRequest('(body)', 'this route takes no request body');
  }
}
