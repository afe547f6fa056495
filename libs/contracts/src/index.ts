export * from './validation';
export * from './identifiers';
export * from './jobs/submit-job.dto';
export * from './jobs/job-id';
export * from './queries';
export * from './job-definitions/job-definition.dto';
export * from './jobs/sync-job';
