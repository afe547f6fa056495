import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, NatsServerHandle, startNatsServer } from './nats-server';

const ROOT = resolve(__dirname, '../../..');
export type SystemService = 'gateway' | 'scheduler' | 'executor' | 'lock-manager' | 'projector';
export const ALL_SERVICES: SystemService[] = ['projector', 'lock-manager', 'scheduler', 'executor', 'gateway'];

export interface ServiceProcess {
  name: string;
  process: ChildProcess;
  output: () => string;
}

export interface RunningSystem {
  nats: NatsServerHandle;
  gatewayUrl: string;
  dataDir: string;
  env: Record<string, string>;
  processes: ServiceProcess[];
  /** Starts one more instance of a service (e.g. a second executor), with extra env. */
  spawn(service: SystemService, env?: Record<string, string>, name?: string): Promise<ServiceProcess>;
  /** SIGTERM (graceful) or SIGKILL one process, and waits for it to exit. */
  stopProcess(proc: ServiceProcess, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the real system as separate processes from the built services (`npm run build` first),
 * against a fresh nats-server, for end-to-end tests.
 */
export async function startSystem(
  options: { services?: SystemService[]; env?: Record<string, string> } = {},
): Promise<RunningSystem> {
  const services = options.services ?? ALL_SERVICES;
  for (const service of services) {
    const main = join(ROOT, 'services', service, 'dist', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
  }
  const nats = await startNatsServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'jobstream-system-'));
  const httpPort = await freePort();
  const env: Record<string, string> = {
    NATS_URL: nats.url,
    ORCHESTRATOR_PORTS: String(httpPort),
    GATEWAY_HOST: '127.0.0.1',
    PROJECTOR_DB: join(dataDir, 'projector.sqlite'),
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '2000',
    // Authentication is on in production; e2e tests of it pass AUTH: 'on' (docs/security.md).
    AUTH: 'off',
    ...options.env,
  };
  const processes: ServiceProcess[] = [];

  const spawnService = async (service: SystemService, extra: Record<string, string> = {}, name = service) => {
    const child = spawn(process.execPath, [join(ROOT, 'services', service, 'dist', 'main.js')], {
      env: { ...process.env, ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const proc = { name, process: child, output: () => output };
    processes.push(proc);
    return proc;
  };

  const stopProcess = (proc: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<void>((done) => {
      if (proc.process.exitCode !== null || proc.process.signalCode !== null) return done();
      proc.process.once('exit', () => done());
      proc.process.kill(signal);
    });

  for (const service of services) await spawnService(service);
  const gatewayUrl = `http://127.0.0.1:${httpPort}`;
  const system: RunningSystem = {
    nats,
    gatewayUrl,
    dataDir,
    env,
    processes,
    spawn: spawnService,
    stopProcess,
    stop: async () => {
      await Promise.all(processes.map((p) => stopProcess(p)));
      await nats.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  if (services.includes('gateway')) {
    try {
      await waitFor(async () => {
        const dead = processes.find((p) => p.process.exitCode !== null);
        if (dead) throw new Error(`${dead.name} exited with code ${dead.process.exitCode} during start-up`);
        return (await fetch(`${gatewayUrl}/health`).catch(() => null))?.ok === true;
      }, 60_000);
    } catch (error) {
      const logs = processes.map((p) => `--- ${p.name}\n${p.output()}`).join('\n');
      await system.stop();
      throw new Error(`system did not become healthy: ${(error as Error).message}\n${logs}`);
    }
  }
  return system;
}

/** Polls a condition until it holds or the deadline passes (bounded waiting, never a timing assertion). */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
