export * from './events';
export * from './state';
export * from './evolve';
export * from './commands';
export * from './decide';
