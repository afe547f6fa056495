import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handlerRegistration } from '../sdk/job-handler';
import { TestJobContext, waitUntil } from '../sdk/context.test-helper';
import { FileListenerHandler, parseFileListenerPayload } from './file-listener.handler';

describe('file-listener', () => {
  let dir: string;
  const contexts: TestJobContext[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'file-listener-'));
  });

  afterEach(() => {
    contexts.splice(0).forEach((ctx) => ctx.abort());
    rmSync(dir, { recursive: true, force: true });
  });

  const listen = (payload: Record<string, unknown>, submit?: TestJobContext['submit']) => {
    const ctx = new TestJobContext({ type: 'file-listener', payload: { directory: dir, pollMs: 20, ...payload }, submit });
    contexts.push(ctx);
    return { ctx, result: new FileListenerHandler().execute(ctx) };
  };
  const write = (name: string, content = 'data', mtime?: Date) => {
    writeFileSync(join(dir, name), content);
    if (mtime) utimesSync(join(dir, name), mtime, mtime);
  };
  const anHourAgo = () => new Date(Date.now() - 3_600_000);

  it('is registered as the singleton "file-listener"', () => {
    expect(handlerRegistration(FileListenerHandler)).toEqual({ type: 'file-listener', singleton: true });
  });

  describe('mode "complete"', () => {
    it('completes with a matching file that is already there', async () => {
      write('notes.txt', 'x', anHourAgo());
      write('orders.csv', 'a,b', anHourAgo());
      await expect(listen({ pattern: '*.csv', mode: 'complete' }).result).resolves.toEqual({ output: { file: join(dir, 'orders.csv') } });
    });

    it('waits for a matching file to appear, and deletes it when asked', async () => {
      const { ctx, result } = listen({ pattern: '/^done-\\d+\\.flag$/', mode: 'complete', deleteAfter: true });
      write('done-x.flag');
      write('done-7.flag');
      await expect(result).resolves.toEqual({ output: { file: join(dir, 'done-7.flag') } });
      expect(existsSync(join(dir, 'done-7.flag'))).toBe(false);
      expect(existsSync(join(dir, 'done-x.flag'))).toBe(true);
      expect(ctx.submitted).toEqual([]);
    });

    it('throws AbortError when cancelled before a file appears', async () => {
      const { ctx, result } = listen({ pattern: '*.csv', mode: 'complete' });
      ctx.abort();
      await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    });
  });

  describe('mode "start-job"', () => {
    it('starts one job per matching file, existing or new, never twice for the same name and mtime', async () => {
      write('old.csv', 'a,b\n1,2', anHourAgo());
      mkdirSync(join(dir, 'folder.csv'));
      const { ctx, result } = listen({ pattern: '*.csv', mode: 'start-job', jobType: 'import' });
      await waitUntil(() => ctx.submitted.length === 1, 'the existing file');

      write('new.csv', 'x');
      write('ignored.txt', 'x');
      await waitUntil(() => ctx.submitted.length === 2, 'the new file');
      // A file written after the others: once it is picked up, later scans saw the first two again.
      write('marker.csv');
      await waitUntil(() => ctx.submitted.length === 3, 'the marker file');
      expect(ctx.submitted.map((job) => job.payload?.file)).toEqual(['old.csv', 'new.csv', 'marker.csv'].map((n) => join(dir, n)));

      utimesSync(join(dir, 'old.csv'), new Date(), new Date());
      await waitUntil(() => ctx.submitted.length === 4, 'the rewritten file');
      ctx.abort();

      await expect(result).resolves.toEqual({ jobVariables: { jobsStarted: 4 } });
      expect(ctx.submitted[0]).toMatchObject({ type: 'import', payload: { file: join(dir, 'old.csv'), size: 7 } });
      expect(new Set(ctx.submitted.map((job) => job.idempotencyKey)).size).toBe(4);
      expect(ctx.progressCalls.at(-1)).toEqual({ percent: 0, message: '4 files' });
      expect(ctx.jobVariables).toEqual({ jobsStarted: 4 });
    });

    it('offers a file again when its job could not be started', async () => {
      let attempts = 0;
      const started: string[] = [];
      write('a.csv', 'x', anHourAgo());
      const { ctx, result } = listen({ pattern: '*.csv', mode: 'start-job', jobType: 'import', deleteAfter: true }, async (job) => {
        attempts += 1;
        if (attempts === 1) throw new Error('bus unavailable');
        started.push(String(job.payload?.file));
        return 'child';
      });
      await waitUntil(() => started.length === 1 && !existsSync(join(dir, 'a.csv')), 'the retried job and the deletion');
      ctx.abort();
      await expect(result).resolves.toEqual({ jobVariables: { jobsStarted: 1 } });
      expect(ctx.logs).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringContaining('could not start a job') })]);
    });
  });

  it('fails naming payload.directory when the directory does not exist', async () => {
    const missing = join(dir, 'missing');
    await expect(listen({ directory: missing, pattern: '*', mode: 'complete' }).result).rejects.toMatchObject({
      name: 'DirectoryUnavailableError',
      message: `payload.directory "${missing}" is not a readable directory (ENOENT)`,
    });
  });

  it.each([
    [{ pattern: '*', mode: 'complete' }, 'payload.directory must be a non-empty string'],
    [{ directory: 'relative/dir', pattern: '*', mode: 'complete' }, 'payload.directory must be an absolute path'],
    [{ directory: '/tmp', mode: 'complete' }, 'payload.pattern must be a glob'],
    [{ directory: '/tmp', pattern: '*' }, 'payload.mode must be "complete" or "start-job"'],
    [{ directory: '/tmp', pattern: '*', mode: 'start-job' }, 'payload.jobType must be a job type'],
    [{ directory: '/tmp', pattern: '*', mode: 'complete', pollMs: 5 }, 'payload.pollMs must be an integer from 10 to 3600000'],
    [{ directory: '/tmp', pattern: '*', mode: 'complete', deleteAfter: 'yes' }, 'payload.deleteAfter must be true or false'],
    [{ directory: '/tmp', pattern: '*', mode: 'complete', recursive: true }, 'payload.recursive is not a known field'],
  ])('rejects %p', (payload, message) => {
    expect(() => parseFileListenerPayload(payload)).toThrow(message);
  });
});
