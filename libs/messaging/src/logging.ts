import { LoggerModule } from 'nestjs-pino';

/**
 * Structured JSON logs (pino) for every service; `LOG_PRETTY=1` is not offered on purpose:
 * pipe through `npx pino-pretty` when reading by eye, so production and dev logs are the same bytes.
 */
export function loggerModule(service: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: process.env.LOG_LEVEL ?? 'info',
      base: { service, pid: process.pid },
      // Health probes every few seconds would drown the real traffic.
      autoLogging: { ignore: (req) => req.url === '/health' },
      customProps: (req) => ({ correlationId: req.headers['x-correlation-id'] }),
    },
  });
}
