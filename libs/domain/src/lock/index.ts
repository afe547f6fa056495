export * from './events';
export * from './state';
export * from './evolve';
export * from './decide';
export * from './queries';
export { DEFAULT_MAX_LOCKS_PER_JOB, type LockSpecInput, validateLocks } from './validation';
