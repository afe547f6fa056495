export interface ProjectorConfig {
  /** SQLite file of the read models. */
  dbPath: string;
  /** Project everything again from the first event before serving. */
  rebuild: boolean;
  /** How long a commit waits for others to share its SQLite transaction. */
  groupWindowMs: number;
}

/** PROJECTOR_DB (default `.data/projector.sqlite`); rebuild with `--rebuild` or PROJECTOR_REBUILD=1; PROJECTOR_GROUP_MS (default 10). */
export function loadProjectorConfig(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const rebuildEnv = env.PROJECTOR_REBUILD?.trim().toLowerCase();
  return {
    dbPath: env.PROJECTOR_DB?.trim() || '.data/projector.sqlite',
    rebuild: argv.slice(2).includes('--rebuild') || rebuildEnv === '1' || rebuildEnv === 'true',
    groupWindowMs: groupWindowOf(env.PROJECTOR_GROUP_MS),
  };
}

function groupWindowOf(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 10;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || ms > 1000) throw new Error(`PROJECTOR_GROUP_MS must be an integer from 0 to 1000, got "${raw}"`);
  return ms;
}

export const PROJECTOR_CONFIG = Symbol('PROJECTOR_CONFIG');
export const READ_MODEL = Symbol('READ_MODEL');
export const PROJECTOR = Symbol('PROJECTOR');
