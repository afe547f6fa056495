export interface ProjectorConfig {
  /** SQLite file of the read models. */
  dbPath: string;
  /** Project everything again from the first event before serving. */
  rebuild: boolean;
}

/** PROJECTOR_DB (default `.data/projector.sqlite`); rebuild with `--rebuild` or PROJECTOR_REBUILD=1. */
export function loadProjectorConfig(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const rebuildEnv = env.PROJECTOR_REBUILD?.trim().toLowerCase();
  return {
    dbPath: env.PROJECTOR_DB?.trim() || '.data/projector.sqlite',
    rebuild: argv.slice(2).includes('--rebuild') || rebuildEnv === '1' || rebuildEnv === 'true',
  };
}

export const PROJECTOR_CONFIG = Symbol('PROJECTOR_CONFIG');
export const READ_MODEL = Symbol('READ_MODEL');
export const PROJECTOR = Symbol('PROJECTOR');
