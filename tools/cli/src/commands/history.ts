import { Command } from 'commander';
import type { Runtime } from '../runtime';
import { describe, type JobEventEntry } from './follow';
import { jobPath } from './http';

export function historyCommand(program: Command, runtime: Runtime): void {
  program
    .command('history')
    .description('every event of a job: when, what, who (and the correlation id to grep the logs with)')
    .argument('<jobId>', 'the job id')
    .action(async (jobId: string) => {
      const { client, config, print } = runtime();
      const history = await client.request<{ jobId: string; events: JobEventEntry[] }>('GET', `${jobPath(jobId)}/history`);
      print(config, history, () =>
        [
          ...history.events.map((e) => `${String(e.revision).padStart(3)}  ${e.occurredAt}  ${e.type.padEnd(20)}  ${e.actor}  ${describe(e)}`.trimEnd()),
          ...(history.events[0] ? [`correlation id: ${history.events[0].correlationId}`] : []),
        ].join('\n'),
      );
    });
}
