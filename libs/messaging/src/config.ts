export interface NatsConfig {
  servers: string[];
  user?: string;
  pass?: string;
}

/** NATS_URL may list several servers separated by commas (a cluster). */
export function loadNatsConfig(env: NodeJS.ProcessEnv = process.env): NatsConfig {
  const servers = (env.NATS_URL ?? 'nats://127.0.0.1:4222')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (servers.length === 0) throw new Error('NATS_URL must name at least one server');
  return { servers, user: env.NATS_USER || undefined, pass: env.NATS_PASSWORD || undefined };
}

/** A positive integer setting from the environment; a bad value is a start-up error naming the variable. */
export function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return intFromEnv(env, name, fallback, 1, 'a positive integer');
}

/** As positiveIntFromEnv, where 0 is meaningful (it switches something off). */
export function nonNegativeIntFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return intFromEnv(env, name, fallback, 0, 'an integer ≥ 0');
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, what: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name}="${raw}" must be ${what}`);
  return value;
}
