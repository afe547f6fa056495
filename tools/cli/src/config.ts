import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CliConfig {
  url: string;
  tenant: string;
  apiKey?: string;
  json: boolean;
}

/** Where `url`, `tenant` and `apiKey` may be kept so they need not be typed each time. */
export const CONFIG_FILE = process.env.JOBSTREAM_CONFIG ?? join(homedir(), '.jobstream.json');

/** Flags win over environment variables, which win over the config file. */
export function resolveConfig(flags: { url?: string; tenant?: string; key?: string; json?: boolean }): CliConfig {
  const file = existsSync(CONFIG_FILE) ? (JSON.parse(readFileSync(CONFIG_FILE, 'utf8')) as Partial<CliConfig>) : {};
  return {
    url: (flags.url ?? process.env.JOBSTREAM_URL ?? file.url ?? 'http://localhost:6030').replace(/\/$/, ''),
    tenant: flags.tenant ?? process.env.JOBSTREAM_TENANT ?? file.tenant ?? 'default',
    apiKey: flags.key ?? process.env.JOBSTREAM_API_KEY ?? file.apiKey,
    json: Boolean(flags.json),
  };
}
