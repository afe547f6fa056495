export * from './fold';
export * from './jobs.projection';
export * from './definitions.projection';
export * from './project';
