export * from './registry';
export * from './collectors';
export * from './metrics.module';
