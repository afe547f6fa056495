import { INestApplicationContext, LoggerService } from '@nestjs/common';

/**
 * Graceful stop on SIGTERM/SIGINT: run every Nest shutdown hook (stop taking work, finish or hand
 * back in-flight jobs, drain NATS), then exit 0. Nest's own enableShutdownHooks re-raises the
 * signal after its hooks, which makes a clean stop look like a kill (exit 143). A second signal
 * while stopping forces the exit.
 */
export function closeOnSignals(app: INestApplicationContext, logger: LoggerService): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: shutting down`);
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
