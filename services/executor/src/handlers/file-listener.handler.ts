import { createHash } from 'node:crypto';
import { stat, unlink } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { JobContext, JobHandler, JobOutcome } from '../sdk/job-handler';
import { AbortError, InvalidPayloadError, throwIfAborted, whenAborted } from './errors';
import { DirectoryWatcher, FoundFile } from './directory-watcher';
import { fileNameMatcher } from './file-pattern';
import { jobType, onlyFields, optionalBoolean, optionalInteger, Payload, requiredString } from './payload';
import { ThrottledProgress } from './throttled-progress';

export interface FileListenerPayload {
  directory: string;
  matches: (name: string) => boolean;
  mode: 'complete' | 'start-job';
  jobType?: string;
  pollMs: number;
  deleteAfter: boolean;
}

export function parseFileListenerPayload(payload: Payload): FileListenerPayload {
  onlyFields(payload, ['directory', 'pattern', 'mode', 'jobType', 'pollMs', 'deleteAfter']);
  const directory = requiredString(payload, 'directory');
  if (!isAbsolute(directory)) throw new InvalidPayloadError('directory', 'must be an absolute path');
  const matches = fileNameMatcher(payload.pattern);
  const mode = payload.mode;
  if (mode !== 'complete' && mode !== 'start-job') throw new InvalidPayloadError('mode', 'must be "complete" or "start-job"');
  const pollMs = optionalInteger(payload, 'pollMs', 10, 3_600_000, 1_000);
  const deleteAfter = optionalBoolean(payload, 'deleteAfter', false);
  if (mode === 'complete') return { directory, matches, mode, pollMs, deleteAfter };
  return { directory, matches, mode, jobType: jobType(payload, 'jobType'), pollMs, deleteAfter };
}

export class DirectoryUnavailableError extends Error {
  override readonly name = 'DirectoryUnavailableError';
}

async function assertDirectory(directory: string): Promise<void> {
  const stats = await stat(directory).catch((error: NodeJS.ErrnoException) => error.code ?? error.message);
  if (typeof stats === 'string' || !stats.isDirectory()) {
    const why = typeof stats === 'string' ? stats : 'not a directory';
    throw new DirectoryUnavailableError(`payload.directory "${directory}" is not a readable directory (${why})`);
  }
}

// Derived from the listener, the name and the mtime, and short enough for the submit API's
// 200-character limit: a retried submit or a restarted listener cannot start the same file twice.
const idempotencyKey = (jobId: string, file: FoundFile) =>
  `file-${createHash('sha256').update(`${jobId}\0${file.name}\0${file.mtimeMs}`).digest('hex').slice(0, 40)}`;

/**
 * Seed JES "File Listener": watches a directory for files matching `pattern`. Mode "complete"
 * finishes with the first such file; mode "start-job" starts a `jobType` job for each new or
 * rewritten file until cancelled. Files already there when it starts count as new.
 */
@JobHandler('file-listener', { singleton: true })
export class FileListenerHandler implements JobHandler {
  async execute(ctx: JobContext): Promise<JobOutcome> {
    const config = parseFileListenerPayload(ctx.payload);
    await assertDirectory(config.directory);
    throwIfAborted(ctx.signal);
    return config.mode === 'complete' ? this.firstFile(ctx, config) : this.startJobs(ctx, config);
  }

  private async firstFile(ctx: JobContext, config: FileListenerPayload): Promise<JobOutcome> {
    let found: (file: FoundFile) => void = () => undefined;
    const first = new Promise<FoundFile>((resolve) => (found = resolve));
    const watcher = this.watcher(ctx, config, async (file) => {
      found(file);
      return true;
    });
    const file = await Promise.race([first, whenAborted(ctx.signal)]);
    await watcher.stop();
    if (!file) throw new AbortError('file listener cancelled before a matching file appeared', { cause: ctx.signal.reason });
    if (config.deleteAfter) await unlink(file.path);
    return { output: { file: file.path } };
  }

  private async startJobs(ctx: JobContext, config: FileListenerPayload): Promise<JobOutcome> {
    const counts = { jobsStarted: 0 };
    const progress = new ThrottledProgress(ctx);
    const watcher = this.watcher(ctx, config, async (file) => {
      try {
        const payload = { file: file.path, size: file.size };
        await ctx.submit({ type: config.jobType as string, payload, idempotencyKey: idempotencyKey(ctx.jobId, file) });
      } catch (error) {
        ctx.log.warn('could not start a job for a file; will retry on the next scan', { file: file.path, error });
        return false;
      }
      counts.jobsStarted += 1;
      Object.assign(ctx.jobVariables, counts);
      progress.report(`${counts.jobsStarted} files`);
      if (config.deleteAfter) await unlink(file.path).catch((error) => ctx.log.warn('could not delete a file', { file: file.path, error }));
      return true;
    });
    await whenAborted(ctx.signal);
    await watcher.stop();
    await progress.stop();
    return { jobVariables: { ...counts } };
  }

  private watcher(ctx: JobContext, config: FileListenerPayload, onFile: (file: FoundFile) => Promise<boolean>): DirectoryWatcher {
    const watcher = new DirectoryWatcher({ ...config, onFile, log: ctx.log });
    watcher.start();
    return watcher;
  }
}
