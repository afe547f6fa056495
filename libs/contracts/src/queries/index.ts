export * from './projector-queries';
