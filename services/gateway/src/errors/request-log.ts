import { PinoLogger } from 'nestjs-pino';
import type { NextFunction, Request, Response } from 'express';
import { principalOfRequest } from '../auth/request-principal';
import { CORRELATION_HEADER } from '../jobs/caller';

/**
 * Instead of pino-http (loggerModule(…, { requestLogs: false })): pino-http builds two child loggers and
 * serializes every request (all headers, credentials included) even when info is off, and nestjs-pino runs
 * each request inside an AsyncLocalStorage, which on Node 20 puts promise hooks on every promise of the
 * process; together ~0.3 ms of CPU per request.
 * One line per request when it ends, at info: method, url, status, duration in ms, client address,
 * correlation id and the authenticated actor (no headers: they carry credentials). Health probes every
 * few seconds would drown the real traffic.
 */
export function requestLog(req: Request, res: Response, next: NextFunction): void {
  const log = PinoLogger.root;
  if (log?.isLevelEnabled('info') && req.url !== '/health') {
    const started = performance.now();
    const remoteAddress = req.socket.remoteAddress;
    res.once('close', () => {
      const actor = principalOfRequest(req)?.actor;
      // Flat fields: pino-http's `req`/`res` serializers, still on this logger, expect the live objects.
      log.info(
        {
          method: req.method,
          url: req.originalUrl,
          statusCode: res.statusCode,
          responseTime: Math.round(performance.now() - started),
          remoteAddress,
          correlationId: req.headers[CORRELATION_HEADER],
          ...(actor !== undefined && { actor }),
        },
        !res.writableFinished ? 'request aborted' : res.statusCode >= 500 ? 'request errored' : 'request completed',
      );
    });
  }
  next();
}
