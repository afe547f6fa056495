export * from './log-reader';
export * from './checkpoints';
export * from './chain-verifier';
export * from './verify';
export * from './export';
export * from './rebuild';
export * from './replay';
