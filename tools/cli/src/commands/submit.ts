import { SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { CliError } from '../client';
import type { Runtime } from '../runtime';
import { followJob, type JobSnapshot } from './follow';

interface SubmitFlags {
  payload?: string;
  idempotencyKey?: string;
  priority?: string;
  wait?: boolean;
}

interface SubmitAnswer {
  jobId: string;
  status: string;
  duplicate: boolean;
}

/** Exit code of `--wait` when the job ended otherwise than COMPLETED. */
export const JOB_NOT_COMPLETED = 2;

export function parseJsonFlag(flag: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${flag} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`${flag} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** Follows a job to its end with a progress bar on stderr (stdout stays for the result). */
export async function waitWithProgress(client: Parameters<typeof followJob>[0], jobId: string): Promise<JobSnapshot | null> {
  const bar = new SingleBar({ stream: process.stderr, format: ' {bar} {percentage}% | {status} {message}', hideCursor: true, clearOnComplete: false });
  bar.start(100, 0, { status: 'QUEUED', message: '' });
  try {
    const job = await followJob(client, jobId, (e) => {
      const d = e.data ?? {};
      if (e.type === 'job.progressed') bar.update(Number(d.percent) || 0, { status: 'RUNNING', message: String(d.message ?? '') });
      else if (e.type === 'job.completed') bar.update(100, { status: 'COMPLETED', message: '' });
      else bar.update({ status: e.type.replace(/^job\./, ''), message: '' });
    });
    if (job) bar.update(job.status === 'COMPLETED' ? 100 : job.progress.percent, { status: job.status, message: job.lastError?.message ?? '' });
    return job;
  } finally {
    bar.stop();
  }
}

export function submitCommand(program: Command, runtime: Runtime): void {
  program
    .command('submit')
    .description('submit a job; with --wait, follow it to its end with a progress bar (exit 2 unless it COMPLETED)')
    .argument('<type>', 'the job type, e.g. delay, http, echo')
    .option('--payload <json>', 'the payload, a JSON object', '{}')
    .option('--idempotency-key <key>', 'submitting again with the same key answers the first job')
    .addOption(new Option('--priority <n>', 'priority, -1000 to 1000').argParser((v) => v))
    .option('--wait', 'wait until the job ends, showing its progress on stderr')
    .addHelpText('after', `\nExample:\n  jobstream submit delay --payload '{"delay":"PT10S"}' --wait`)
    .action(async (type: string, flags: SubmitFlags) => {
      const { client, config, print } = runtime();
      const body = {
        type,
        payload: parseJsonFlag('--payload', flags.payload),
        ...(flags.idempotencyKey !== undefined && { idempotencyKey: flags.idempotencyKey }),
        ...(flags.priority !== undefined && { priority: Number(flags.priority) }),
      };
      const answer = await client.request<SubmitAnswer>('POST', '/jobs', body);
      if (!flags.wait) {
        print(config, answer, () => `${answer.jobId}  ${answer.status}${answer.duplicate ? '  (duplicate: the first job with this key)' : ''}`);
        return;
      }
      const job = await waitWithProgress(client, answer.jobId);
      if (!job) throw new CliError(`job ${answer.jobId} was deleted while waiting`);
      print(config, job, () => [`${job.jobId}  ${job.type}  ${job.status}`, ...(job.lastError ? [`error: ${job.lastError.message}`] : [])].join('\n'));
      if (job.status !== 'COMPLETED') process.exitCode = JOB_NOT_COMPLETED;
    });
}
