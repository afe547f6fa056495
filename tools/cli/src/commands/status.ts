import { Command } from 'commander';
import { Runtime } from '../runtime';

interface JobView {
  jobId: string;
  type: string;
  status: string;
  progress: { percent: number; message: string };
  attempt: number;
  executorId: string | null;
  lastError: { message: string } | null;
}

export function statusCommand(program: Command, runtime: Runtime): void {
  program
    .command('status')
    .description("show a job's status, progress and last error")
    .argument('<jobId>', 'the job id')
    .action(async (jobId: string) => {
      const { client, config, print } = runtime();
      const job = await client.request<JobView>('GET', `/jobs/${encodeURIComponent(jobId)}`);
      print(config, job, () =>
        [
          `${job.jobId}  ${job.type}  ${job.status}  ${job.progress.percent}% ${job.progress.message}`.trimEnd(),
          `attempt ${job.attempt}${job.executorId ? ` on ${job.executorId}` : ''}`,
          ...(job.lastError ? [`last error: ${job.lastError.message}`] : []),
        ].join('\n'),
      );
    });
}
