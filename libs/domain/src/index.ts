export * from './shared/envelope';
export * from './shared/domain-error';
export * from './lock';
export * from './job';
export * from './job-definition';
export * from './orchestration';
export * from './timer';
export * from './upcasting';
