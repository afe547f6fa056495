import { existsSync, readFileSync } from 'node:fs';
import { parseOrchestratorPorts, type GatewayPorts } from '../config';

export interface GatewaySettings {
  ports: GatewayPorts;
  certDir: string;
}

/** `KEY=VALUE` lines (optionally `export KEY=...`, quoted values, `#` comments), as in an env file. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2].trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    values[match[1]] = value;
  }
  return values;
}

/**
 * ORCHESTRATOR_PORTS and CERT_DIR: from the optional env file CONFIG_FILE when it sets them (so a
 * reload can pick up a renewed certificate's thumbprint), else from the environment.
 */
export function loadGatewaySettings(env: NodeJS.ProcessEnv = process.env): GatewaySettings {
  const file = env.CONFIG_FILE;
  const fromFile = file && existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : {};
  if (file && !existsSync(file)) throw new Error(`CONFIG_FILE ${file} does not exist`);
  return {
    ports: parseOrchestratorPorts(fromFile.ORCHESTRATOR_PORTS ?? env.ORCHESTRATOR_PORTS),
    certDir: fromFile.CERT_DIR ?? env.CERT_DIR ?? '.data/certs',
  };
}
