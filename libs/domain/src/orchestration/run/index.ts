export * from './events';
export * from './state';
export * from './evolve';
export * from './decide';
export * from './next-step';
export * from './report';
export { runTimeLimit } from './time-limit';
