import { Command } from 'commander';
import type { Runtime } from '../runtime';
import type { CommandAnswer } from './cancel';
import { jobPath } from './http';

export function retryCommand(program: Command, runtime: Runtime): void {
  program
    .command('retry')
    .description('retry a FAILED or CANCELLED job (a new attempt, queued again)')
    .argument('<jobId>', 'the job id')
    .action(async (jobId: string) => {
      const { client, config, print } = runtime();
      const answer = await client.request<CommandAnswer>('POST', `${jobPath(jobId)}/~retry`);
      print(config, answer, () => `${answer.jobId}  ${answer.status}  attempt ${answer.attempt}`);
    });
}
