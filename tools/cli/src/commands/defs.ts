import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command } from 'commander';
import { CliError, type GatewayClient } from '../client';
import type { Runtime } from '../runtime';
import { requestText } from './http';

/** The fields of a job definition that a create takes (the rest of the view is state). */
const JOB_DEFINITION_FIELDS = ['name', 'description', 'type', 'configuration', 'schedule', 'enabled'] as const;

/** `defs export` without --xml, and what `defs import FILE.json` reads back. */
export interface DefinitionsFile {
  jobDefinitions: Record<string, unknown>[];
  orchestrationTasks: Record<string, unknown>[];
}

const pick = (view: Record<string, unknown>) =>
  Object.fromEntries(JOB_DEFINITION_FIELDS.filter((f) => view[f] !== undefined && view[f] !== null).map((f) => [f, view[f]]));

/** Accepts the export shape, a list of orchestration task definitions, or a list of job definitions. */
function splitDefinitions(value: unknown): DefinitionsFile {
  if (Array.isArray(value)) {
    const isOrchestration = (v: unknown) => typeof v === 'object' && v !== null && 'orchestratedTasks' in v;
    return {
      orchestrationTasks: value.filter(isOrchestration) as Record<string, unknown>[],
      jobDefinitions: value.filter((v) => !isOrchestration(v)) as Record<string, unknown>[],
    };
  }
  if (typeof value === 'object' && value !== null && ('jobDefinitions' in value || 'orchestrationTasks' in value)) {
    const file = value as Partial<DefinitionsFile>;
    return { jobDefinitions: file.jobDefinitions ?? [], orchestrationTasks: file.orchestrationTasks ?? [] };
  }
  if (typeof value === 'object' && value !== null) return splitDefinitions([value]);
  throw new CliError('the JSON file must hold {jobDefinitions, orchestrationTasks}, or a list of definitions');
}

async function importJson(client: GatewayClient, file: DefinitionsFile) {
  const orchestration =
    file.orchestrationTasks.length > 0
      ? await client.request<{ imported: unknown[] }>('POST', '/sync/orchestration-tasks:import', file.orchestrationTasks)
      : { imported: [] };
  const jobDefinitions: { name: string; definitionId: string }[] = [];
  for (const [i, definition] of file.jobDefinitions.entries()) {
    const created = await client.request<{ definitionId: string; name: string }>('POST', '/job-definitions', pick(definition)).catch((error: Error) => {
      throw new CliError(`jobDefinitions[${i}] (${String(definition.name)}): ${error.message}`);
    });
    jobDefinitions.push({ name: created.name, definitionId: created.definitionId });
  }
  return { jobDefinitions, orchestrationTasks: orchestration.imported };
}

export function defsCommand(program: Command, runtime: Runtime): void {
  const defs = program.command('defs').description('import and export definitions (job definitions and orchestration task definitions)');

  defs
    .command('import')
    .description('import FILE.xml (orchestration task definitions, the seed XML) or FILE.json (the export format, or a list)')
    .argument('<file>', 'a .xml or .json file')
    .action(async (path: string) => {
      const { client, config, print } = runtime();
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
      }
      const ext = extname(path).toLowerCase();
      if (ext === '.xml') {
        const answer = JSON.parse(await requestText(client, 'POST', '/sync/orchestration-tasks:import', { body: text, contentType: 'application/xml' })) as {
          imported: unknown[];
        };
        print(config, answer, () => `imported ${answer.imported.length} orchestration task definition(s)`);
        return;
      }
      if (ext !== '.json') throw new CliError(`${path}: expected a .xml or .json file`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new CliError(`${path} is not valid JSON: ${(error as Error).message}`);
      }
      const result = await importJson(client, splitDefinitions(parsed));
      print(config, result, () =>
        [
          `imported ${result.jobDefinitions.length} job definition(s) and ${result.orchestrationTasks.length} orchestration task definition(s)`,
          ...result.jobDefinitions.map((d) => `  ${d.definitionId}  ${d.name}`),
        ].join('\n'),
      );
    });

  defs
    .command('export')
    .description('print every definition of the tenant as JSON ({jobDefinitions, orchestrationTasks}); --xml: the orchestration task definitions as the seed XML')
    .option('--xml', 'orchestration task definitions as XML (job definitions have no XML form)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (flags: { xml?: boolean; out?: string }) => {
      const { client } = runtime();
      let output: string;
      if (flags.xml) {
        output = await requestText(client, 'GET', '/sync/orchestration-tasks:export', { accept: 'application/xml' });
      } else {
        const [jobs, orchestration] = await Promise.all([
          client.request<{ items: Record<string, unknown>[] }>('GET', '/job-definitions'),
          client.request<Record<string, unknown>[]>('GET', '/sync/orchestration-tasks'),
        ]);
        // Full views are fetched one by one: the list rows lack the configuration a re-import needs.
        const full = await Promise.all(jobs.items.map((d) => client.request<Record<string, unknown>>('GET', `/job-definitions/${encodeURIComponent(String(d.definitionId))}`)));
        const file: DefinitionsFile = { jobDefinitions: full.map(pick), orchestrationTasks: orchestration };
        output = JSON.stringify(file, null, 2);
      }
      if (flags.out) writeFileSync(flags.out, output.endsWith('\n') ? output : `${output}\n`);
      else console.log(output);
    });
}
