import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { startSystem, type RunningSystem } from '@jobstream/testing';
import { buildProgram } from './program';

jest.setTimeout(180_000);

const BIN = resolve(__dirname, '../bin/jobstream.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI as a child process, as an operator runs it. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, JOBSTREAM_CONFIG: '/nonexistent/jobstream.json', ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every command path, e.g. ['defs', 'import'], read from the program itself so new commands are covered too. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

describe('jobstream CLI', () => {
  beforeAll(() => {
    if (!existsSync(resolve(__dirname, '../dist/main.js'))) throw new Error('tools/cli/dist is missing: run "npm run build" first');
  });

  it('answers --help for the program and every command', async () => {
    const paths = commandPaths(buildProgram());
    for (const name of ['submit', 'status', 'watch', 'cancel', 'retry', 'history', 'defs import', 'defs export', 'orch run']) {
      expect(paths.map((p) => p.join(' '))).toContain(name);
    }
    const root = await cli(['--help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toContain('Usage: jobstream');
    for (const path of paths) {
      const run = await cli([...path, '--help']);
      expect({ path, code: run.code }).toEqual({ path, code: 0 });
      expect(run.stdout).toContain(`Usage: jobstream ${path.join(' ')}`);
    }
  });

  it('fails with one line and a non-zero exit when the gateway cannot be reached', async () => {
    const run = await cli(['--url', 'http://127.0.0.1:9', 'status', 'some-job']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^jobstream: cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  describe('against a real system', () => {
    let system: RunningSystem;
    let env: Record<string, string>;
    let dir: string;

    beforeAll(async () => {
      system = await startSystem({ env: { AUTH: 'off' } });
      env = { JOBSTREAM_URL: system.gatewayUrl, JOBSTREAM_TENANT: 'acme' };
      dir = mkdtempSync(join(tmpdir(), 'jobstream-cli-'));
    });

    afterAll(async () => {
      await system?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('submits and waits for a job, printing JSON for scripts', async () => {
      const run = await cli(['--json', 'submit', 'echo', '--payload', '{"message":"hi"}', '--wait'], env);
      expect(run.code).toBe(0);
      const job = JSON.parse(run.stdout);
      expect(job.status).toBe('COMPLETED');
      const status = await cli(['--json', 'status', job.jobId], env);
      expect(JSON.parse(status.stdout).status).toBe('COMPLETED');
    });

    it('cancels a running job; watch streams its transitions and exits 2; history lists them', async () => {
      const submitted = await cli(['--json', 'submit', 'delay', '--payload', '{"delay":"PT60S"}'], env);
      const { jobId } = JSON.parse(submitted.stdout);
      const watching = cli(['watch', jobId], env);
      const cancel = await cli(['--json', 'cancel', jobId, '--reason', 'test'], env);
      expect(cancel.code).toBe(0);
      expect(JSON.parse(cancel.stdout).cancelRequested).toBe(true);
      const watched = await watching;
      expect(watched.code).toBe(2);
      expect(watched.stdout).toMatch(/job\.submitted/);
      expect(watched.stdout).toMatch(/job\.cancelled/);
      expect(watched.stdout).toContain(`${jobId} ended CANCELLED`);
      const history = await cli(['--json', 'history', jobId], env);
      const types = JSON.parse(history.stdout).events.map((e: { type: string }) => e.type);
      expect(types[0]).toBe('job.submitted');
      expect(types).toContain('job.cancelled');
      const retried = await cli(['--json', 'retry', jobId], env);
      expect(retried.code).toBe(0);
      expect(JSON.parse(retried.stdout).attempt).toBe(2);
      await cli(['cancel', jobId], env);
    });

    it('refuses a bad payload with one line and exit 1', async () => {
      const notJson = await cli(['submit', 'echo', '--payload', '{oops'], env);
      expect(notJson.code).toBe(1);
      expect(notJson.stderr).toMatch(/^jobstream: --payload is not valid JSON/);
      const invalid = await cli(['submit', 'no such type!'], env);
      expect(invalid.code).toBe(1);
      expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
      expect(invalid.stderr).toMatch(/failed with 400: type/);
    });

    it('imports definitions from JSON and exports them back', async () => {
      const file = join(dir, 'defs.json');
      writeFileSync(
        file,
        JSON.stringify({
          jobDefinitions: [{ name: 'nightly-report', description: 'Builds the report', type: 'noop', enabled: true }],
          orchestrationTasks: [{ id: 'nightly-sync', name: 'Nightly sync', active: true, orchestratedTasks: [{ taskId: 'import-users', taskType: 'IMPORT' }] }],
        }),
      );
      const imported = await cli(['--json', 'defs', 'import', file], env);
      expect(imported.code).toBe(0);
      expect(JSON.parse(imported.stdout).jobDefinitions).toHaveLength(1);
      const out = join(dir, 'export.json');
      const exported = await cli(['defs', 'export', '--out', out], env);
      expect(exported.code).toBe(0);
      const file2 = JSON.parse(readFileSync(out, 'utf8'));
      expect(file2.jobDefinitions).toEqual([{ name: 'nightly-report', description: 'Builds the report', type: 'noop', configuration: {}, enabled: true }]);
      expect(file2.orchestrationTasks.map((d: { id: string }) => d.id)).toEqual(['nightly-sync']);
      const xml = await cli(['defs', 'export', '--xml'], env);
      expect(xml.code).toBe(0);
      expect(xml.stdout).toContain('nightly-sync');
    });

    it('runs an orchestration and waits for its report', async () => {
      const run = await cli(['--json', 'orch', 'run', 'nightly-sync', '--wait'], env);
      expect(run.stderr).not.toMatch(/^jobstream:/m);
      const report = JSON.parse(run.stdout);
      expect(report.tasks.map((t: { taskId: string }) => t.taskId)).toEqual(['import-users']);
      expect(['SUCCESS', 'PARTIAL', 'FAILED']).toContain(report.status);
      expect(run.code).toBe(report.status === 'FAILED' ? 2 : 0);
      const unknown = await cli(['orch', 'run', 'no-such-task'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/404/);
    });
  });
});
