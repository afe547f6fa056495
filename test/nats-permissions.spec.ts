import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES } from '@jobstream/messaging';
import { freePort } from '@jobstream/testing';
import { connect, type NatsConnection } from 'nats';
import { parse } from 'yaml';

jest.setTimeout(30_000);

const ROOT = join(__dirname, '..');
const CONF = join(ROOT, 'deploy/nats/cluster.conf');
const AUTH_CONF = readFileSync(join(ROOT, 'deploy/nats/auth.conf'), 'utf8');
const PASSWORDS = Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase().replace('-', '_')}_NATS_PASSWORD`, `pw-${s}`]));

interface ComposeService {
  ports?: string[];
  environment?: Record<string, string>;
}

describe('production NATS configuration (deploy/nats, docker-compose.yml)', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

  it('is a configuration nats-server accepts', () => {
    const run = spawnSync('nats-server', ['-t', '-c', CONF], { env: { ...process.env, ...PASSWORDS }, encoding: 'utf8' });
    expect({ status: run.status, output: `${run.stdout}${run.stderr}`.trim() }).toEqual({ status: 0, output: expect.stringMatching(/is valid$/) });
  });

  it.each(SERVICES.map((s) => [s]))('gives %s its own user, with its password from the environment and explicit allow lists', (service) => {
    const block = new RegExp(`user: ${service}\\n\\s+password: \\$${service.toUpperCase().replace('-', '_')}_NATS_PASSWORD\\n\\s+permissions: \\{\\n\\s+(#.*\\n\\s+)*publish: \\{ allow: \\[[^\\]]+\\] \\}\\n\\s+(#.*\\n\\s+)*subscribe: \\{ allow: \\[[^\\]]+\\] \\}`);
    expect(AUTH_CONF).toMatch(block);
    expect(compose.services[service].environment).toMatchObject({ NATS_USER: service, NATS_PASSWORD: expect.stringContaining(`${service.toUpperCase().replace('-', '_')}_NATS_PASSWORD`), AUTH: 'on' });
  });

  it('publishes only the gateway', () => {
    expect(Object.entries(compose.services).filter(([, s]) => s.ports !== undefined).map(([name]) => name)).toEqual(['gateway']);
  });

  it('refuses a service user a subject outside its allow list (real nats-server)', async () => {
    // Without the cluster block, so one server starts alone on free ports.
    const dir = mkdtempSync(join(tmpdir(), 'nats-perm-'));
    copyFileSync(join(ROOT, 'deploy/nats/auth.conf'), join(dir, 'auth.conf'));
    const port = await freePort();
    writeFileSync(join(dir, 'server.conf'), `port: ${port}\nnet: 127.0.0.1\ninclude ./auth.conf\n`);
    const server = spawn('nats-server', ['-c', join(dir, 'server.conf')], { env: { ...process.env, ...PASSWORDS }, stdio: 'ignore' });
    try {
      let nc: NatsConnection | undefined;
      for (let i = 0; i < 50 && !nc; i++) {
        nc = await connect({ servers: `127.0.0.1:${port}`, user: 'projector', pass: 'pw-projector' }).catch(async () => {
          await new Promise((r) => setTimeout(r, 100));
          return undefined;
        });
      }
      if (!nc) throw new Error('nats-server did not start');
      // The server closes a forbidden subscription (permissions violation) and keeps an allowed one.
      const forbidden = nc.subscribe('es.>');
      const allowed = nc.subscribe('projector.query.jobs');
      await nc.flush();
      const outcome = await Promise.race([forbidden.closed.then(() => 'closed'), new Promise<string>((r) => setTimeout(() => r('still open'), 10_000))]);
      expect(outcome).toBe('closed');
      expect(allowed.isClosed()).toBe(false);
      await nc.close();
      await expect(connect({ servers: `127.0.0.1:${port}`, user: 'projector', pass: 'wrong' })).rejects.toThrow(/AUTHORIZATION_VIOLATION|Authorization/i);
    } finally {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
