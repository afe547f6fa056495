import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestJobContext, waitUntil } from '../sdk/context.test-helper';
import { DirectoryWatcher, FoundFile } from './directory-watcher';

// Simulates a filesystem where fs.watch is unsupported (as on some network shares).
jest.mock('node:fs', () => ({
  ...jest.requireActual('node:fs'),
  watch: () => {
    throw Object.assign(new Error('watch ENOSYS'), { code: 'ENOSYS' });
  },
}));

describe('DirectoryWatcher without fs.watch', () => {
  it('finds existing and new files by polling alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watcher-'));
    const ctx = new TestJobContext();
    const found: FoundFile[] = [];
    const watcher = new DirectoryWatcher({
      directory: dir,
      matches: (name) => name.endsWith('.csv'),
      pollMs: 20,
      onFile: async (file) => Boolean(found.push(file)),
      log: ctx.log,
    });
    writeFileSync(join(dir, 'before.csv'), 'x');
    try {
      watcher.start();
      await waitUntil(() => found.length === 1, 'the existing file');
      writeFileSync(join(dir, 'after.csv'), 'yy');
      await waitUntil(() => found.length === 2, 'the new file');
    } finally {
      await watcher.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(found.map((f) => [f.name, f.size])).toEqual([
      ['before.csv', 1],
      ['after.csv', 2],
    ]);
    expect(ctx.logs).toEqual([expect.objectContaining({ level: 'warn', msg: 'fs.watch unavailable, polling only' })]);
  });
});
