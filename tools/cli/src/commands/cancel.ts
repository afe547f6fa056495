import { Command } from 'commander';
import type { Runtime } from '../runtime';
import { jobPath } from './http';

export interface CommandAnswer {
  jobId: string;
  status: string;
  cancelRequested: boolean;
  attempt: number;
}

export function cancelCommand(program: Command, runtime: Runtime): void {
  program
    .command('cancel')
    .description('cancel a job (a running job is asked to stop and ends CANCELLED once its executor confirms)')
    .argument('<jobId>', 'the job id')
    .option('--reason <text>', 'why, recorded in the job history')
    .action(async (jobId: string, flags: { reason?: string }) => {
      const { client, config, print } = runtime();
      const answer = await client.request<CommandAnswer>('POST', `${jobPath(jobId)}/~cancel`, flags.reason ? { reason: flags.reason } : undefined);
      print(config, answer, () => `${answer.jobId}  ${answer.status}${answer.cancelRequested && answer.status !== 'CANCELLED' ? '  (cancel requested)' : ''}`);
    });
}
