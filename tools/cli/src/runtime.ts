import { Command } from 'commander';
import { GatewayClient } from './client';
import { CliConfig, resolveConfig } from './config';
import { print } from './output';

export type Runtime = () => { config: CliConfig; client: GatewayClient; print: typeof print };

/** Resolves the global flags lazily, once a command runs, so `--help` needs no configuration. */
export function runtimeOf(program: Command): Runtime {
  return () => {
    const config = resolveConfig(program.opts());
    return { config, client: new GatewayClient(config), print };
  };
}
