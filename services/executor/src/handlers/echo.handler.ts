import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';
import { optionalObject } from './payload';

/** Completes with its payload as output, and `payload.variables` (if any) as job variables. */
@JobHandler('echo')
export class EchoHandler implements JobHandler {
  async execute(ctx: JobContext): Promise<JobOutcome> {
    const variables = optionalObject(ctx.payload, 'variables');
    return variables ? { output: ctx.payload, jobVariables: variables } : { output: ctx.payload };
  }
}
