export * from './port';
export * from './errors';
export * from './validation';
export * from './config';
export * from './jetstream/jetstream-event-store';
export * from './jetstream/revision-cache';
export * from './kurrent/kurrent-event-store';
export * from './kurrent/mapping';
