export * from './versions';
export * from './registry';
