import { Command } from 'commander';
import { CliError, type GatewayClient } from '../client';
import type { Runtime } from '../runtime';

interface KeyView {
  keyId: string;
  name: string;
  tenants: '*' | string[];
  rights: string[];
  status: string;
  expiresAt: string | null;
  createdAt: string | null;
  createdBy: string | null;
}

interface IssuedKey extends KeyView {
  key: string;
}

/** Keys live under the tenant-less `/api/keys`, not under a tenant like the other commands. */
async function adminRequest<T>(client: GatewayClient, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${client.config.url}/api${path}`, {
      method,
      headers: client.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${client.config.url}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await res.text();
  const parsed = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (!res.ok) throw new CliError(`${method} /api${path} failed with ${res.status}: ${parsed?.message ?? (text || res.statusText)}`);
  return parsed as T;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

const line = (k: KeyView) =>
  `${k.keyId}  ${k.status}  ${k.name}  tenants=${k.tenants === '*' ? '*' : k.tenants.join(',')}  rights=${k.rights.join(',')}${k.expiresAt ? `  expires ${k.expiresAt}` : ''}`;

const shownOnce = (k: IssuedKey) => `${line(k)}\n\n${k.key}\n\nThis is the only time the key is shown: store it now (e.g. JOBSTREAM_API_KEY or --key).`;

export function keysCommand(program: Command, runtime: Runtime): void {
  const keys = program
    .command('keys')
    .description('manage API keys (needs a key with the ApiKey:admin permission, e.g. the admin key printed at first start)')
    .addHelpText(
      'after',
      `
Examples:
  jobstream --key "$ADMIN_KEY" keys create --name ci --tenant acme --right sys.job-submit
  jobstream keys create --name ops --tenants acme,globex --right sys.job-admin --right sys.lock-admin --expires 2026-01-01T00:00:00Z
  jobstream keys create --name root --tenants '*' --right sys.admin
  jobstream keys list
  jobstream keys rotate 3f9c2a1b7d4e5f60
  jobstream keys revoke 3f9c2a1b7d4e5f60 --reason "left the team"

Rights: sys.admin, sys.job-submit, sys.job-read, sys.job-admin, sys.job-definition-crud, sys.job-definition-read,
sys.job-definition-run, sys.sync-schema-crud, sys.sync-schema-read, sys.orch-run, sys.orch-progress, sys.orch-admin,
sys.lock-read, sys.lock-admin, sys.executor-read, sys.metrics-read, sys.api-key-admin (docs/security.md).`,
    );

  keys
    .command('create')
    .description('create a key; it is printed once')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--tenants <list>', 'comma-separated tenants, or "*" for all (default: the global --tenant)', collect)
    .requiredOption('--right <right>', 'a right to grant (repeat, or comma-separate)', collect)
    .option('--expires <iso>', 'expiry, ISO-8601 (default: never)')
    .action(async (flags: { name: string; tenants?: string[]; right: string[]; expires?: string }) => {
      const { client, config, print } = runtime();
      const tenants = flags.tenants?.includes('*') ? '*' : (flags.tenants ?? [config.tenant]);
      const issued = await adminRequest<IssuedKey>(client, 'POST', '/keys', {
        name: flags.name,
        tenants,
        rights: flags.right,
        ...(flags.expires && { expiresAt: flags.expires }),
      });
      print(config, issued, () => shownOnce(issued));
    });

  keys
    .command('list')
    .description('list the keys within your tenants (never their secrets)')
    .action(async () => {
      const { client, config, print } = runtime();
      const answer = await adminRequest<{ keys: KeyView[] }>(client, 'GET', '/keys');
      print(config, answer, () => (answer.keys.length === 0 ? 'no keys' : answer.keys.map(line).join('\n')));
    });

  keys
    .command('rotate')
    .description('give a key a new secret; the old one stops working at once')
    .argument('<keyId>', 'the key id (the part after jsk_)')
    .option('--expires <iso>', 'a new expiry')
    .action(async (keyId: string, flags: { expires?: string }) => {
      const { client, config, print } = runtime();
      const issued = await adminRequest<IssuedKey>(client, 'POST', `/keys/${encodeURIComponent(keyId)}/~rotate`, flags.expires ? { expiresAt: flags.expires } : undefined);
      print(config, issued, () => shownOnce(issued));
    });

  keys
    .command('revoke')
    .description('revoke a key for good')
    .argument('<keyId>', 'the key id')
    .option('--reason <text>', 'why, recorded in the key history')
    .action(async (keyId: string, flags: { reason?: string }) => {
      const { client, config, print } = runtime();
      const answer = await adminRequest<KeyView>(client, 'DELETE', `/keys/${encodeURIComponent(keyId)}`, flags.reason ? { reason: flags.reason } : undefined);
      print(config, answer, () => line(answer));
    });
}
