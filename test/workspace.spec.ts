import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const SERVICES = ['gateway', 'scheduler', 'executor', 'lock-manager', 'projector'];

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });

  it('runs a 3-node NATS cluster with JetStream, KurrentDB and the five services', () => {
    const names = Object.keys(compose.services);
    expect(names).toEqual(expect.arrayContaining(['nats-1', 'nats-2', 'nats-3', 'kurrentdb', ...SERVICES]));
    const cluster = readFileSync(join(root, 'deploy/nats/cluster.conf'), 'utf8');
    expect(cluster).toMatch(/jetstream/);
    for (const node of ['nats-1', 'nats-2', 'nats-3']) expect(cluster).toContain(`nats-route://${node}:6222`);
  });

  it('configures each service by environment variables only, and publishes only the gateway', () => {
    for (const service of SERVICES) {
      const spec = compose.services[service];
      expect(spec.environment.NATS_URL).toContain('nats-1');
      expect(spec.environment.EVENT_STORE).toBe('eventstoredb');
      expect(spec.command).toEqual(['node', `services/${service}/dist/main.js`]);
      expect(Boolean(spec.ports)).toBe(service === 'gateway');
    }
  });
});

describe('project graph', () => {
  it('has services depending on libs and never on each other', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nx-graph-')), 'graph.json');
    execFileSync('npx', ['nx', 'graph', `--file=${file}`], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      stdio: 'ignore',
    });
    const { graph } = JSON.parse(readFileSync(file, 'utf8'));
    for (const service of SERVICES) {
      const targets: string[] = graph.dependencies[service]
        .map((d: { target: string }) => d.target)
        .filter((t: string) => !t.startsWith('npm:'));
      expect(targets.filter((t) => graph.nodes[t].type === 'lib').length).toBeGreaterThan(0);
      // The gateway also depends on the dashboard's build (static assets it serves), never on a service.
      for (const target of targets) expect(SERVICES).not.toContain(target);
    }
  });
});
