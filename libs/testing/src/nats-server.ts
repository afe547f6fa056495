import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsServerHandle {
  url: string;
  port: number;
  storeDir: string;
  process: ChildProcess;
  /** kill -9, keeping the store directory, to test crash recovery. */
  kill(): Promise<void>;
  /** Start again on the same port and store after kill(). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  /** Extra nats-server arguments, e.g. cluster routes. */
  args?: string[];
  port?: number;
  storeDir?: string;
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts a real nats-server with JetStream (file storage) on a free loopback port. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'jobstream-nats-'));
  const ownsStore = options.storeDir === undefined;
  const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...(options.args ?? [])];

  let child: ChildProcess;
  const launch = async () => {
    child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`nats-server exited with ${code}: ${stderr}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitUntil(() => canConnect(port), `nats-server on port ${port}`), exited]);
    handle.process = child;
  };
  const exit = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });

  const handle: NatsServerHandle = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    process: undefined as unknown as ChildProcess,
    kill: () => exit('SIGKILL'),
    restart: launch,
    stop: async () => {
      await exit('SIGTERM');
      if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
  await launch();
  return handle;
}
