import { CliConfig } from './config';

/** `--json` prints machine-readable JSON; otherwise a human line per fact. */
export function print(config: CliConfig, value: unknown, human: () => string): void {
  console.log(config.json ? JSON.stringify(value, null, 2) : human());
}
