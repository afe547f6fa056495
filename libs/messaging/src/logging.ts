import { LoggerModule } from 'nestjs-pino';

/**
 * Structured JSON logs (pino) for every service; `LOG_PRETTY=1` is not offered on purpose:
 * pipe through `npx pino-pretty` when reading by eye, so production and dev logs are the same bytes.
 * `requestLogs: false` leaves pino-http's per-request middleware out, for a service that writes its own
 * request lines (the gateway: pino-http cost it ~0.3 ms of CPU per request, see its request-log.ts).
 */
export function loggerModule(service: string, options: { requestLogs?: boolean } = {}) {
  const base = { level: process.env.LOG_LEVEL ?? 'info', base: { service, pid: process.pid } };
  if (options.requestLogs === false) return LoggerModule.forRoot({ pinoHttp: base, forRoutes: [] });
  return LoggerModule.forRoot({
    pinoHttp: {
      ...base,
      // Health probes every few seconds would drown the real traffic.
      autoLogging: { ignore: (req) => req.url === '/health' },
      customProps: (req) => ({ correlationId: req.headers['x-correlation-id'] }),
    },
  });
}
