export * from './subjects';
export * from './config';
export * from './nats.module';
export * from './logging';
export * from './health.controller';
export * from './bootstrap';
export * from './rpc';
export * from './work-queue';
