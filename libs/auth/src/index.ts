export * from './permissions';
export * from './rights';
export * from './principal';
export * from './api-key-token';
export * from './service-token';
