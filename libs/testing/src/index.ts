export * from './nats-server';
export * from './bench-table';
export * from './system';
export * from './bench-cpu';
