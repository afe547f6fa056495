import { Command } from 'commander';
import { statusCommand } from './commands/status';
import { replayCommand } from './commands/replay';
import { auditCommand } from './commands/audit';
import { cancelCommand } from './commands/cancel';
import { defsCommand } from './commands/defs';
import { historyCommand } from './commands/history';
import { keysCommand } from './commands/keys';
import { orchCommand } from './commands/orch';
import { retryCommand } from './commands/retry';
import { submitCommand } from './commands/submit';
import { watchCommand } from './commands/watch';
import { CONFIG_FILE } from './config';
import { runtimeOf } from './runtime';

/** Every command registers itself here: one file per command under commands/. */
const COMMANDS = [submitCommand, statusCommand, watchCommand, cancelCommand, retryCommand, historyCommand, defsCommand, orchCommand, replayCommand, auditCommand, keysCommand];

export function buildProgram(): Command {
  const program = new Command('jobstream')
    .description('Operate jobstream from a terminal: submit and watch jobs, manage definitions, audit the log.')
    .option('--url <url>', 'gateway URL (env JOBSTREAM_URL, default http://localhost:6030)')
    .option('--tenant <tenant>', 'tenant (env JOBSTREAM_TENANT, default "default")')
    .option('--key <apiKey>', 'API key (env JOBSTREAM_API_KEY)')
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', `\nConfiguration file: ${CONFIG_FILE} ({"url", "tenant", "apiKey"}); flags win over env, env over the file.`)
    .showHelpAfterError();
  const runtime = runtimeOf(program);
  for (const register of COMMANDS) register(program, runtime);
  return program;
}
