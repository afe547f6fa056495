import { buildProgram } from './program';
import { CliError } from './client';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: Error) => {
    // One line, no stack: the reason is for an operator, not a debugger.
    console.error(`jobstream: ${error.message}`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  });
