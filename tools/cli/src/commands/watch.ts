import { Command } from 'commander';
import type { Runtime } from '../runtime';
import { describe, followJob } from './follow';
import { JOB_NOT_COMPLETED } from './submit';

export function watchCommand(program: Command, runtime: Runtime): void {
  program
    .command('watch')
    .description("print a job's transitions as they happen, from its first event until it ends (--json: one JSON object per line)")
    .argument('<jobId>', 'the job id')
    .action(async (jobId: string) => {
      const { client, config } = runtime();
      const job = await followJob(client, jobId, (e) => {
        // Printed as each arrives, not at the end: this is a live view.
        console.log(config.json ? JSON.stringify(e) : `${e.occurredAt}  ${e.type.padEnd(20)}  ${e.actor}  ${describe(e)}`.trimEnd());
      });
      if (!job) {
        if (!config.json) console.log(`${jobId} was deleted`);
        return;
      }
      if (!config.json) console.log(`${job.jobId} ended ${job.status}`);
      if (job.status !== 'COMPLETED') process.exitCode = JOB_NOT_COMPLETED;
    });
}
