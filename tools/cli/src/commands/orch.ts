import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import type { Runtime } from '../runtime';
import { requestText } from './http';
import { JOB_NOT_COMPLETED } from './submit';

interface RunReport {
  instanceId: string;
  definitionId: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  tasks: { taskId: string; status: string; skipReason: string | null }[];
}

const POLL_MS = 1000;
const FINISHED_TASK = new Set(['SUCCESS', 'PARTIAL', 'FAILED', 'SKIPPED', 'NOT_STARTED']);

export function orchCommand(program: Command, runtime: Runtime): void {
  const orch = program.command('orch').description('orchestration task definitions and their runs');

  orch
    .command('run')
    .description('launch a run of an orchestration task definition; with --wait, follow it (exit 2 when it ends FAILED or CANCELLED)')
    .argument('<taskId>', 'the orchestration task definition id')
    .option('--wait', 'wait until the run ends, showing its tasks on stderr')
    .action(async (taskId: string, flags: { wait?: boolean }) => {
      const { client, config, print } = runtime();
      const base = `/sync/orchestration-tasks/${encodeURIComponent(taskId)}/instances`;
      const instanceId = (await requestText(client, 'POST', base)).trim();
      if (!flags.wait) {
        print(config, { instanceId }, () => instanceId);
        return;
      }
      let report = await client.request<RunReport>('GET', `${base}/${instanceId}`);
      const bar = new SingleBar({ stream: process.stderr, format: ' {bar} {value}/{total} tasks | {status} {task}', hideCursor: true });
      bar.start(report.tasks.length, 0, { status: report.status, task: '' });
      try {
        while (report.status === 'RUNNING') {
          await new Promise((r) => setTimeout(r, POLL_MS));
          report = await client.request<RunReport>('GET', `${base}/${instanceId}`);
          const current = report.tasks.find((t) => !FINISHED_TASK.has(t.status));
          bar.update(report.tasks.filter((t) => FINISHED_TASK.has(t.status)).length, { status: report.status, task: current ? `${current.taskId} ${current.status}` : '' });
        }
      } finally {
        bar.stop();
      }
      print(config, report, () =>
        [
          `${report.instanceId}  ${report.status}`,
          ...report.tasks.map((t) => `  ${t.taskId.padEnd(24)} ${t.status}${t.skipReason ? ` (${t.skipReason})` : ''}`),
        ].join('\n'),
      );
      if (report.status === 'FAILED' || report.status === 'CANCELLED') process.exitCode = JOB_NOT_COMPLETED;
    });
}
