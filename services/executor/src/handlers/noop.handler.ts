import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';

/** Completes at once: for wiring tests, smoke checks and as a placeholder step in a chain. */
@JobHandler('noop')
export class NoopHandler implements JobHandler {
  async execute(_ctx: JobContext): Promise<JobOutcome> {
    return undefined;
  }
}
