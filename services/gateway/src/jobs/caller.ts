import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { MsgHdrs } from 'nats';
import { principalOfRequest } from '../auth/request-principal';

export const CORRELATION_HEADER = 'x-correlation-id';
export const CAUSATION_HEADER = 'x-causation-id';

/** Who asks and on behalf of which request: the metadata every appended event carries. */
export interface Caller {
  actor: string;
  correlationId: string;
  causationId: string | null;
}

/** The authenticated principal (`key:<keyId>`, `user:<sub>`), set by the AuthGuard; anonymous with AUTH=off. */
const actorOf = (req?: Request): string => (req && principalOfRequest(req)?.actor) ?? 'anonymous';

// Correlation ids land in events and log lines: printable ASCII without spaces, bounded.
const CORRELATION_ID = /^[\x21-\x7e]{1,200}$/;

/** A malformed id is replaced rather than rejected: tracing must never be the reason a request fails. */
const correlationIdFrom = (value: unknown): string =>
  typeof value === 'string' && CORRELATION_ID.test(value) ? value : randomUUID();

const callers = new WeakMap<Request, Caller>();

/** Fixes the correlation id before anything else runs, so logs, events and even error answers share it. */
export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const correlationId = correlationIdFrom(req.headers[CORRELATION_HEADER]);
  // The request logger reads the header, so a generated id shows up in the logs too.
  req.headers[CORRELATION_HEADER] = correlationId;
  res.setHeader(CORRELATION_HEADER, correlationId);
  // An outside HTTP request is the start of a chain: nothing caused it within the system.
  callers.set(req, { actor: actorOf(), correlationId, causationId: null });
  next();
}

export const callerOfRequest = (req: Request): Caller => ({
  ...(callers.get(req) ?? { correlationId: correlationIdFrom(undefined), causationId: null }),
  actor: actorOf(req),
});

/** Services submitting over NATS pass their correlation and causing event in headers. */
export function callerOfNatsHeaders(h: MsgHdrs | undefined): Caller {
  const causation = h?.get(CAUSATION_HEADER);
  return {
    actor: actorOf(),
    correlationId: correlationIdFrom(h?.get(CORRELATION_HEADER) || undefined),
    causationId: causation ? causation : null,
  };
}

/** `@CallerOf() caller: Caller` in a route handler. */
export const CallerOf = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller =>
  callerOfRequest(ctx.switchToHttp().getRequest<Request>()),
);
