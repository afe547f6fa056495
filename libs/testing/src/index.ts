export * from './nats-server';
export * from './bench-table';
